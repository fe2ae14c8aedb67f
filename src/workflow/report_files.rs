//! The reports as files a district office opens: XLSX (Chinese headers, one header row,
//! numbers as numbers) and CSV (UTF-8 with a BOM, so Excel reads the Chinese). Each report is
//! laid out once as a [`Table`]; the two formats only write it out.

use crate::planning::assessment::{Assessment, Figures};
use crate::planning::units::UnitList;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

/// One cell: text, or a number a spreadsheet can sum.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    fn int(n: impl Into<u64>) -> Cell {
        Cell::Number(n.into() as f64)
    }
}

/// A sheet: its name, the header row, the rows.
pub struct Table {
    pub sheet: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

const FIGURE_HEADERS: [&str; 13] = [
    "场所数",
    "已覆盖",
    "覆盖率",
    "检查次数",
    "发现问题",
    "新增整改",
    "按期办结",
    "逾期办结",
    "督办",
    "逾期未办",
    "平均办结天数",
    "按期率",
    "说明",
];

fn figure_cells(f: &Figures) -> Vec<Cell> {
    let n = |v: usize| Cell::int(v as u64);
    vec![
        n(f.venues),
        n(f.covered),
        Cell::Number(f.covered_share),
        n(f.inspections),
        n(f.findings),
        n(f.raised),
        n(f.on_time),
        n(f.late),
        n(f.escalated),
        n(f.open_late),
        f.average_days_to_close.map_or(Cell::Empty, Cell::Number),
        Cell::Number(f.on_time_share),
    ]
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

/// The assessment as two sheets: by area (with the district total last) and by unit.
pub fn assessment_tables(a: &Assessment) -> [Table; 2] {
    let level = match a.level.as_str() {
        "community" => "社区",
        "grid" => "网格",
        _ => "乡镇街道",
    };
    let headers = |first: &'static str| {
        let mut h = vec!["排名", first];
        h.extend(&FIGURE_HEADERS[..12]);
        h
    };
    let mut areas: Vec<Vec<Cell>> = a
        .areas
        .iter()
        .map(|r| {
            let mut row = vec![
                r.rank.map_or(Cell::Empty, |k| Cell::int(k as u64)),
                Cell::Text(r.name.clone()),
            ];
            row.extend(figure_cells(&r.figures));
            row
        })
        .collect();
    let mut total = vec![Cell::Empty, Cell::Text("全区合计".into())];
    total.extend(figure_cells(&a.total));
    areas.push(total);
    let units = a
        .units
        .iter()
        .map(|u| {
            let mut row = vec![Cell::int(u.rank as u64), Cell::Text(u.unit.clone())];
            row.extend(figure_cells(&u.figures));
            row
        })
        .collect();
    [
        Table {
            sheet: sheet_name(&format!("{level}考核 {}", a.period.label)),
            headers: headers(level),
            rows: areas,
        },
        Table {
            sheet: sheet_name(&format!("责任单位考核 {}", a.period.label)),
            headers: headers("责任单位"),
            rows: units,
        },
    ]
}

/// What each part of a unit's list is called in the files.
pub fn part_name(part: &str, within: i64) -> String {
    match part {
        "late" => "已逾期".into(),
        "due_soon" => format!("{within}日内到期"),
        _ => "其后到期".into(),
    }
}

/// A unit's list as one sheet: late first, then due soon, then later.
pub fn unit_table(list: &UnitList, within: i64) -> Table {
    let rows = list
        .rows()
        .map(|(part, f)| {
            vec![
                Cell::Text(part_name(part, within)),
                Cell::int(f.id as u64),
                Cell::Text(f.venue.clone()),
                f.area.clone().map_or(Cell::Empty, Cell::Text),
                Cell::Text(f.action.clone()),
                Cell::Text(f.raised_on.to_string()),
                Cell::Text(f.deadline.to_string()),
                Cell::int(f.level),
                Cell::int(f.days_late as u64),
            ]
        })
        .collect();
    Table {
        sheet: sheet_name(&list.unit),
        headers: vec![
            "类别",
            "编号",
            "场所",
            "区域",
            "整改事项",
            "立案日期",
            "整改期限",
            "督办级别",
            "逾期天数",
        ],
        rows,
    }
}

/// The tables as one workbook, a sheet each.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let share = Format::new().set_num_format("0.0%");
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.sheet)?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, if c < 3 { 16 } else { 11 })?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let (c, header) = (c as u16, t.headers.get(c).copied().unwrap_or_default());
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Number(v) if header.ends_with('率') => {
                        sheet.write_number_with_format(r, c, *v, &share)?;
                    }
                    Cell::Number(v) => {
                        sheet.write_number(r, c, *v)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

/// One table as CSV: a BOM, the header row, the rows; quoted by the `csv` crate (RFC 4180).
pub fn csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&table.headers)?;
    for row in &table.rows {
        out.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Number(v) => v.to_string(),
            Cell::Empty => String::new(),
        }))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::units::UnitFollowUp;
    use chrono::NaiveDate;

    #[test]
    fn sheet_names_fit_excel_and_csv_quotes_and_starts_with_a_bom() {
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name(&"单".repeat(40)).chars().count(), 31);
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let list = UnitList {
            unit: "属地派出所".into(),
            open: 1,
            late: vec![UnitFollowUp {
                id: 7,
                venue_id: 1,
                venue: "金色\"年华\",KTV".into(),
                area: None,
                action: "复查\n整改".into(),
                raised_on: d,
                deadline: d,
                level: 1,
                days_late: 3,
            }],
            due_soon: vec![],
            later: vec![],
        };
        let bytes = csv(&unit_table(&list, 3)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[2], "金色\"年华\",KTV");
        assert_eq!(&row[4], "复查\n整改");
        assert_eq!((&row[0], &row[8]), ("已逾期", "3"));
        assert!(!xlsx(&[unit_table(&list, 3)]).unwrap().is_empty());
    }
}
