//! The framework ceiling for the benchmark: actix-web answering a fixed JSON body, no database.
//! `static-ceiling 127.0.0.1:8090`.

use actix_web::{App, HttpResponse, HttpServer, web};

const BODY: &str = r#"{"code":"vneid","name_vi":"Nền tảng định danh và xác thực điện tử","ministry":"BCA","status":"operational"}"#;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    HttpServer::new(|| {
        App::new().route(
            "/static",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(BODY)
            }),
        )
    })
    .bind(addr)?
    .run()
    .await
}
