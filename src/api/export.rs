//! Spreadsheet exports: one table of columns, written either as CSV or as an Excel workbook.
//!
//! A table is a list of [`Column`]s, each a name, a width and a function from a row to a [`Cell`],
//! so a new field is one line in the table and appears in both formats.
//!
//! Exports are built completely before the first byte is sent: the handler reads its rows (a
//! bounded snapshot), releases the database connection, renders the file and only then hands the
//! bytes to a client that may read them as slowly as it likes.
//!
//! Cells that a spreadsheet would run as a formula are neutralised as OWASP recommends for CSV
//! injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading apostrophe, which spreadsheets show as text. In the workbook every text cell is a
//! string cell, which Excel never evaluates, so its text is written as it is.

use std::borrow::Cow;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::ApiError;

/// The value of one cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (empty for no value).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A calendar date, or none.
    Date(Option<NaiveDate>),
    /// An instant, in UTC.
    Instant(DateTime<Utc>),
}

impl Cell {
    /// A text cell.
    pub fn text(text: &str) -> Self {
        Self::Text(text.to_owned())
    }

    /// A text cell, empty for no value.
    pub fn optional(text: &Option<String>) -> Self {
        Self::Text(text.clone().unwrap_or_default())
    }

    /// Several values in one text cell, separated by `;`.
    pub fn joined<'a>(values: impl Iterator<Item = &'a str>) -> Self {
        Self::Text(values.collect::<Vec<_>>().join(";"))
    }
}

/// One column of an export: its header, its width in characters in the workbook, and its value.
pub struct Column<T> {
    /// The header: a stable name that scripts rely on.
    pub name: &'static str,
    /// The column's width in the workbook, in characters.
    pub width: f64,
    /// The cell of a row.
    pub value: fn(&T) -> Cell,
}

impl<T> Column<T> {
    /// A column named `name`, `width` characters wide in the workbook.
    pub const fn new(name: &'static str, width: f64, value: fn(&T) -> Cell) -> Self {
        Self { name, width, value }
    }
}

/// The spreadsheet formats an export is offered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sheet {
    /// RFC 4180 CSV, UTF-8 with a byte-order mark, CRLF line ends.
    Csv,
    /// An Office Open XML workbook.
    Xlsx,
}

/// The bytes of a workbook, as the OpenAPI document describes them (a binary string).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct WorkbookBytes(
    #[expect(dead_code, reason = "only its schema is used, in the document")] Vec<u8>,
);

/// The media type of CSV exports.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";
/// The media type of workbook exports.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text`, with a leading apostrophe when a spreadsheet would read it as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

impl Cell {
    /// The cell as CSV text: dates as ISO 8601, instants as RFC 3339 UTC, text neutralised.
    fn to_csv(&self) -> Cow<'_, str> {
        match self {
            Self::Text(text) => neutralise(text),
            Self::Integer(n) => Cow::Owned(n.to_string()),
            Self::Date(date) => Cow::Owned(date.map(|d| d.to_string()).unwrap_or_default()),
            Self::Instant(at) => Cow::Owned(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

/// Renders `rows` as a file of `format`, with a header row of the column names; `name` names the
/// workbook's sheet.
pub fn render<T>(
    format: Sheet,
    name: &str,
    columns: &[Column<T>],
    rows: &[T],
) -> Result<Vec<u8>, ApiError> {
    match format {
        Sheet::Csv => csv(columns, rows),
        Sheet::Xlsx => xlsx(name, columns, rows),
    }
}

/// RFC 4180 CSV: UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), CRLF.
fn csv<T>(columns: &[Column<T>], rows: &[T]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer
        .write_record(columns.iter().map(|c| c.name))
        .map_err(ApiError::internal)?;
    for row in rows {
        let cells: Vec<Cell> = columns.iter().map(|c| (c.value)(row)).collect();
        writer
            .write_record(cells.iter().map(|cell| cell.to_csv().into_owned()))
            .map_err(ApiError::internal)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// An Excel workbook: one sheet, a bold frozen header row, column widths, dates as dates.
fn xlsx<T>(name: &str, columns: &[Column<T>], rows: &[T]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(e.to_string());
    let mut workbook = Workbook::new();
    let header_format = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let instant_format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(fail)?;
    for (col, column) in columns.iter().enumerate() {
        let col = u16::try_from(col).map_err(ApiError::internal)?;
        sheet
            .write_string_with_format(0, col, column.name, &header_format)
            .map_err(fail)?;
        sheet.set_column_width(col, column.width).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    for (index, row) in rows.iter().enumerate() {
        let line = u32::try_from(index + 1).map_err(ApiError::internal)?;
        for (col, column) in columns.iter().enumerate() {
            let col = u16::try_from(col).map_err(ApiError::internal)?;
            match (column.value)(row) {
                Cell::Text(text) => sheet.write_string(line, col, text).map(drop),
                Cell::Integer(n) => sheet.write_number(line, col, n as f64).map(drop),
                Cell::Date(None) => Ok(()),
                Cell::Date(Some(date)) => sheet
                    .write_date_with_format(line, col, date, &date_format)
                    .map(drop),
                Cell::Instant(at) => sheet
                    .write_datetime_with_format(line, col, at.naive_utc(), &instant_format)
                    .map(drop),
            }
            .map_err(fail)?;
        }
    }
    workbook.save_to_buffer().map_err(fail)
}

/// A download: the file with its media type and a file name, `Vary: Accept` since `Accept` may
/// choose the format.
pub fn download(format: Sheet, stem: &str, bytes: Vec<u8>) -> HttpResponse {
    let (media_type, extension) = match format {
        Sheet::Csv => (CSV_MEDIA_TYPE, "csv"),
        Sheet::Xlsx => (XLSX_MEDIA_TYPE, "xlsx"),
    };
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::VARY, "Accept"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}.{extension}\""),
        ))
        .body(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        name: &'static str,
        since: Option<NaiveDate>,
    }

    const COLUMNS: &[Column<Row>] = &[
        Column::new("name", 20.0, |r| Cell::text(r.name)),
        Column::new("since", 12.0, |r| Cell::Date(r.since)),
    ];

    #[test]
    fn every_formula_start_that_owasp_lists_is_neutralised() {
        for text in [
            "=1+1",
            "+SUM(A1)",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(text), format!("'{text}"));
        }
        for text in ["Hệ thống", "a=b", "1-2", ""] {
            assert_eq!(neutralise(text), text);
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_line_ends_and_neutralised_cells() {
        let rows = [
            Row {
                name: "=HYPERLINK(\"http://x\",\"Hóa đơn\")",
                since: NaiveDate::from_ymd_opt(2024, 7, 15),
            },
            Row {
                name: "Cổng, \"dịch vụ\"",
                since: None,
            },
        ];
        let bytes = render(Sheet::Csv, "rows", COLUMNS, &rows).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert_eq!(
            text,
            "\u{FEFF}name,since\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"Hóa đơn\"\")\",2024-07-15\r\n\"Cổng, \"\"dịch vụ\"\"\",\r\n"
        );
    }

    #[test]
    fn a_workbook_is_a_zip_with_one_sheet() {
        let rows = [Row {
            name: "Nền tảng",
            since: NaiveDate::from_ymd_opt(2025, 3, 1),
        }];
        let bytes = render(Sheet::Xlsx, "rows", COLUMNS, &rows).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
    }
}
