DROP TRIGGER feed_clock_notify ON feed_clock;
DROP FUNCTION feed_clock_notify();
