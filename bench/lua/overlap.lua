-- wrk -s bench/lua/overlap.lua http://127.0.0.1:18080/api/v1/overlap-checks
-- Every call stores a receipt (an overlap_checks row): this is a read-mostly query plus one insert.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Xây dựng hệ thống hóa đơn điện tử của tỉnh","description":"Phần mềm phát hành và tra cứu hóa đơn điện tử cho doanh nghiệp"}'
