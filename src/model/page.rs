//! One page of a long list (issue 14): how many rows from where, in which direction, and the
//! page with the total it was cut from. A city's lists run to thousands of rows; a screen shows
//! a page and asks for the next.

use serde::{Deserialize, Serialize};

/// Rows a page holds when the caller does not say.
pub const DEFAULT_PAGE_ROWS: usize = 50;
/// The most rows one page may hold: a page of any list stays well under a megabyte.
pub const MAX_PAGE_ROWS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

impl Order {
    pub fn as_sql(self) -> &'static str {
        match self {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }

    /// `ordering` as asked: reversed for descending.
    pub fn apply(self, ordering: std::cmp::Ordering) -> std::cmp::Ordering {
        match self {
            Order::Asc => ordering,
            Order::Desc => ordering.reverse(),
        }
    }
}

/// Which rows of a list: `limit` from `offset` on; `None` limit is every row (a download).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: Option<usize>,
    pub offset: usize,
}

impl PageRequest {
    /// Every row, for a file to download rather than a screen.
    pub const ALL: PageRequest = PageRequest {
        limit: None,
        offset: 0,
    };

    /// A page for a screen: `limit` defaults and is capped, so no caller gets the whole list
    /// by leaving the limit out. Refuses a limit of 0 or above the cap, naming `limit`.
    pub fn screen(limit: Option<usize>, offset: Option<usize>) -> Result<Self, (String, String)> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_ROWS);
        if !(1..=MAX_PAGE_ROWS).contains(&limit) {
            return Err((
                "limit".into(),
                format!("`limit` is 1 to {MAX_PAGE_ROWS} rows, not {limit}"),
            ));
        }
        Ok(PageRequest {
            limit: Some(limit),
            offset: offset.unwrap_or(0),
        })
    }

    /// The SQL `LIMIT … OFFSET …` values (-1: no limit, as SQLite reads it).
    pub fn sql(&self) -> (i64, i64) {
        (
            self.limit.map_or(-1, |l| l as i64),
            i64::try_from(self.offset).unwrap_or(i64::MAX),
        )
    }

    /// This page of `rows`, already filtered and sorted.
    pub fn cut<T>(&self, rows: Vec<T>) -> Page<T> {
        let total = rows.len();
        let items = rows
            .into_iter()
            .skip(self.offset)
            .take(self.limit.unwrap_or(usize::MAX))
            .collect();
        Page {
            total,
            offset: self.offset,
            limit: self.limit,
            items,
        }
    }
}

/// One page of a list, with how many rows the whole (filtered) list has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub total: usize,
    pub offset: usize,
    pub limit: Option<usize>,
    pub items: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_cut_from_the_whole_with_its_total() {
        let page = PageRequest::screen(Some(3), Some(4))
            .unwrap()
            .cut((0..9).collect());
        assert_eq!((page.total, page.items), (9, vec![4, 5, 6]));
        let past = PageRequest::screen(Some(3), Some(20))
            .unwrap()
            .cut((0..9).collect::<Vec<i32>>());
        assert_eq!((past.total, past.items.len()), (9, 0));
        assert_eq!(
            PageRequest::ALL.cut((0..9).collect::<Vec<_>>()).items.len(),
            9
        );
    }

    #[test]
    fn a_screen_page_has_a_default_and_a_cap() {
        assert_eq!(
            PageRequest::screen(None, None).unwrap().limit,
            Some(DEFAULT_PAGE_ROWS)
        );
        for bad in [0, MAX_PAGE_ROWS + 1] {
            assert_eq!(PageRequest::screen(Some(bad), None).unwrap_err().0, "limit");
        }
        assert_eq!(PageRequest::ALL.sql(), (-1, 0));
    }

    #[test]
    fn descending_reverses_the_ordering() {
        use std::cmp::Ordering::*;
        assert_eq!(Order::Desc.apply(Less), Greater);
        assert_eq!(Order::Asc.apply(Less), Less);
    }
}
