-- Grows a seeded registry to a synthetic one of :target platforms (default 100000) for the scale
-- benchmark. Run only against the throwaway benchmark database (bench/run.sh uses ndp_bench_scale):
--
--   psql -v ON_ERROR_STOP=1 -v target=100000 -f bench/scale.sql postgres://postgres@127.0.0.1/ndp_bench_scale
--
-- Every synthetic name is made of real words: a kind of system ("Hệ thống", "Nền tảng", ...), the
-- subject of one of the seeded platforms (its name without its own leading kind word), the provincial
-- department that runs it and one of the 34 provinces of the 2025 structure, plus a number, e.g.
-- "Phần mềm hóa đơn điện tử của Sở Tài chính tỉnh Nghệ An (số 1234)". Owners are spread over the
-- 32 seeded agencies: a platform of an agency merged or dissolved in 2025 belongs now to its
-- successor and carries two ownership rows (the old owner up to the day before the merger, the
-- successor from then on), like the seeded ones; the others carry one open row.
--
-- Domains, audiences and the English name come from the seeded platform the subject was taken
-- from, so a search for "hoa don dien tu" matches about one platform in 79, as it would in a real
-- registry where every province runs its own e-invoice tooling.

\set ON_ERROR_STOP on
\if :{?target}
\else
  \set target 100000
\endif

BEGIN;

CREATE TEMP TABLE src ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, code, name_vi, name_en, domains, audiences,
       regexp_replace(name_vi,
           '^(Hệ thống thông tin|Hệ thống|Nền tảng|Cổng thông tin|Cổng|Phần mềm|Ứng dụng|Trang thông tin)\s+',
           '') AS subject
FROM platforms;

CREATE TEMP TABLE agencies ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY code) - 1 AS n, code, name_vi, status, successor_code, succeeded_on
FROM ministries;

CREATE TEMP TABLE kinds (n int, kind text) ON COMMIT DROP;
INSERT INTO kinds VALUES
    (0, 'Hệ thống'), (1, 'Nền tảng'), (2, 'Cơ sở dữ liệu'), (3, 'Cổng thông tin'),
    (4, 'Phần mềm'), (5, 'Ứng dụng'), (6, 'Hệ thống thông tin');

CREATE TEMP TABLE depts (n int, dept text) ON COMMIT DROP;
INSERT INTO depts VALUES
    (0, 'Sở Tài chính'), (1, 'Sở Y tế'), (2, 'Sở Giáo dục và Đào tạo'), (3, 'Sở Xây dựng'),
    (4, 'Sở Nội vụ'), (5, 'Sở Tư pháp'), (6, 'Sở Công Thương'), (7, 'Sở Nông nghiệp và Môi trường'),
    (8, 'Sở Khoa học và Công nghệ'), (9, 'Sở Văn hóa, Thể thao và Du lịch'), (10, 'Văn phòng Ủy ban nhân dân'),
    (11, 'Công an');

CREATE TEMP TABLE provinces (n int, place text) ON COMMIT DROP;
INSERT INTO provinces
SELECT row_number() OVER () - 1, p FROM unnest(ARRAY[
    'thành phố Hà Nội', 'thành phố Huế', 'tỉnh Lai Châu', 'tỉnh Điện Biên', 'tỉnh Sơn La',
    'tỉnh Lạng Sơn', 'tỉnh Quảng Ninh', 'tỉnh Thanh Hóa', 'tỉnh Nghệ An', 'tỉnh Hà Tĩnh',
    'tỉnh Cao Bằng', 'tỉnh Tuyên Quang', 'tỉnh Lào Cai', 'tỉnh Thái Nguyên', 'tỉnh Phú Thọ',
    'tỉnh Bắc Ninh', 'tỉnh Hưng Yên', 'thành phố Hải Phòng', 'tỉnh Ninh Bình', 'tỉnh Quảng Trị',
    'thành phố Đà Nẵng', 'tỉnh Quảng Ngãi', 'tỉnh Gia Lai', 'tỉnh Khánh Hòa', 'tỉnh Lâm Đồng',
    'tỉnh Đắk Lắk', 'Thành phố Hồ Chí Minh', 'tỉnh Đồng Nai', 'tỉnh Tây Ninh', 'thành phố Cần Thơ',
    'tỉnh Vĩnh Long', 'tỉnh Đồng Tháp', 'tỉnh Cà Mau', 'tỉnh An Giang']) AS p;

SELECT count(*) AS seeded, greatest(:target - count(*), 0) AS to_add FROM platforms \gset

CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i,
       rtrim(left('syn-' || i || '-' || s.code, 63), '-') AS code,
       k.kind || ' ' || s.subject || ' của ' || d.dept || ' ' || p.place || ' (số ' || i || ')' AS name_vi,
       s.name_en || ', ' || unaccent(regexp_replace(p.place, '^(tỉnh|thành phố) ', '')) || ' no. ' || i AS name_en,
       s.name_vi AS src_name, s.domains, s.audiences, d.dept, p.place,
       a.code AS first_owner,
       CASE WHEN a.status = 'active' THEN a.code ELSE a.successor_code END AS owner,
       a.succeeded_on,
       (ARRAY['operational', 'operational', 'operational', 'piloting', 'in_development', 'planned',
              'suspended', 'retired', 'unknown'])[1 + i % 9] AS status,
       (ARRAY['connected', 'in_progress', 'not_connected', 'not_applicable', 'unknown'])[1 + (i / 9) % 5] AS ndxp_status
FROM generate_series(1, :to_add) AS i
JOIN src s ON s.n = (i * 7) % :seeded
JOIN kinds k ON k.n = (i / 79) % 7
JOIN depts d ON d.n = (i / 3) % 12
JOIN provinces p ON p.n = (i / 11) % 34
JOIN agencies a ON a.n = i % 32;

INSERT INTO platforms (code, name_vi, name_en, description, ministry_code, operator, domains,
                       audiences, status, url, ndxp_status, source, confidence)
SELECT code, left(name_vi, 300), left(name_en, 300),
       left(name_vi || ' do ' || dept || ' ' || place || ' vận hành, kết nối với ' || g.src_name ||
            ' theo hướng dẫn của bộ chủ quản.', 4000),
       owner, dept || ' ' || place, domains, audiences, status,
       'https://' || code || '.gov.vn', ndxp_status, 'synthetic benchmark data (bench/scale.sql)',
       'unconfirmed'
FROM gen g
ORDER BY i;

INSERT INTO platform_ownerships (platform_id, ministry_code, valid_from, valid_to, reason)
SELECT p.id, g.first_owner, NULL, CASE WHEN g.owner <> g.first_owner THEN g.succeeded_on - 1 END, NULL
FROM gen g JOIN platforms p USING (code)
UNION ALL
SELECT p.id, g.owner, g.succeeded_on, NULL, 'Reorganisation of ministries, Resolution 176/2025/QH15'
FROM gen g JOIN platforms p USING (code)
WHERE g.owner <> g.first_owner;

-- These platforms bypass the API, so no change is in the feed: move the feed clock, as every change
-- to the registry made outside the API must, so that running replicas drop what they hold in memory.
UPDATE feed_clock SET seq = seq + 1 WHERE id = 1;

COMMIT;

-- The state autovacuum reaches within a minute of a bulk load: statistics, and a visibility map
-- so that counts can be answered from indexes (the overlap receipt's count of active platforms).
VACUUM (ANALYZE);

SELECT (SELECT count(*) FROM platforms) AS platforms,
       (SELECT count(*) FROM platform_ownerships) AS ownerships,
       (SELECT count(DISTINCT ministry_code) FROM platform_ownerships) AS agencies_in_history;
