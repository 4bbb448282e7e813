DROP INDEX platforms_active_idx;
