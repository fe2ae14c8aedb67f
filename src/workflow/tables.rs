//! The manager's long tables (issue 14), figured here and cut into pages: the overdue venues
//! and the coverage of each area are computed figures, so they are filtered, sorted and paged
//! after the rule has counted them (follow-ups page in SQL: `Store::follow_up_page`). Each table
//! is also laid out whole as a CSV [`Table`] for the download, which takes every row.

use super::daily::{OverdueVenue, coverage_data, overdue_venues};
use super::report_files::{Cell, Table};
use crate::model::{AreaLevel, FollowUpStatus, Order, Outcome, Page, PageRequest, VenueKind};
use crate::planning::PlanningConfig;
use crate::planning::coverage::{CoverageFigures, coverage};
use crate::store::{ListedFollowUp, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The columns the overdue list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverdueSort {
    /// Never inspected counts as the most overdue: nothing at all is known of those venues.
    #[default]
    DaysOverdue,
    Name,
    Kind,
    Township,
    Community,
    Unit,
    LastInspected,
}

impl OverdueSort {
    /// Most overdue first unless asked otherwise; names and days A to Z.
    pub fn default_order(self) -> Order {
        match self {
            OverdueSort::DaysOverdue => Order::Desc,
            _ => Order::Asc,
        }
    }
}

/// Which overdue venues a list holds; the filters combine.
#[derive(Debug, Clone, Default)]
pub struct OverdueFilter {
    /// A township or community the venue lies in.
    pub area: Option<i64>,
    pub kind: Option<VenueKind>,
    pub unit: Option<String>,
    /// Never inspected (true) or inspected but late (false).
    pub never: Option<bool>,
    /// Part of the venue's name.
    pub name: Option<String>,
}

impl OverdueFilter {
    fn keeps(&self, v: &OverdueVenue) -> bool {
        self.area
            .is_none_or(|a| v.township_id == Some(a) || v.community_id == Some(a))
            && self.kind.is_none_or(|k| v.kind == k)
            && self
                .unit
                .as_ref()
                .is_none_or(|u| v.responsible_unit.as_ref() == Some(u))
            && self
                .never
                .is_none_or(|n| v.last_inspected_at.is_none() == n)
            && self
                .name
                .as_ref()
                .is_none_or(|n| v.name.contains(n.as_str()))
    }
}

fn compare_overdue(sort: OverdueSort, a: &OverdueVenue, b: &OverdueVenue) -> Ordering {
    match sort {
        OverdueSort::DaysOverdue => a
            .days_overdue
            .unwrap_or(i64::MAX)
            .cmp(&b.days_overdue.unwrap_or(i64::MAX)),
        OverdueSort::Name => a.name.cmp(&b.name),
        OverdueSort::Kind => a.kind.cmp(&b.kind),
        OverdueSort::Township => a.township.cmp(&b.township),
        OverdueSort::Community => a.community.cmp(&b.community),
        OverdueSort::Unit => a.responsible_unit.cmp(&b.responsible_unit),
        OverdueSort::LastInspected => a.last_inspected_at.cmp(&b.last_inspected_at),
    }
}

/// A page of the overdue venues on `date` that `filter` keeps, sorted; with `scope`, only
/// venues in those townships or communities. Ties go by venue id, so pages never overlap.
pub fn overdue_page(
    store: &Store,
    config: &PlanningConfig,
    date: NaiveDate,
    scope: Option<&[i64]>,
    filter: &OverdueFilter,
    (sort, order): (OverdueSort, Order),
    page: PageRequest,
) -> anyhow::Result<Page<OverdueVenue>> {
    let mut rows: Vec<_> = overdue_venues(store, config, date, scope)?
        .into_iter()
        .filter(|v| filter.keeps(v))
        .collect();
    rows.sort_by(|a, b| {
        order
            .apply(compare_overdue(sort, a, b))
            .then(a.id.cmp(&b.id))
    });
    Ok(page.cut(rows))
}

/// The columns the coverage table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageSort {
    Name,
    Active,
    Covered,
    /// The worst covered first by default: those are the areas to act on.
    #[default]
    CoveredShare,
    Overdue,
    Findings,
    OpenFollowUps,
    OverdueFollowUps,
}

/// One area's row of the coverage table: its figures, no geometry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRow {
    pub area_id: i64,
    pub source_id: Option<String>,
    pub name: String,
    pub active: usize,
    pub covered: usize,
    pub covered_share: f64,
    pub overdue: usize,
    pub suspended: usize,
    pub inspections: usize,
    pub findings: usize,
    pub open_follow_ups: usize,
    pub overdue_follow_ups: usize,
}

impl AreaRow {
    fn of(area_id: i64, source_id: Option<String>, name: String, f: &CoverageFigures) -> Self {
        AreaRow {
            area_id,
            source_id,
            name,
            active: f.active,
            covered: f.covered,
            covered_share: f.covered_share,
            overdue: f.overdue,
            suspended: f.suspended,
            inspections: f.inspections,
            findings: f.findings,
            open_follow_ups: f.open_follow_ups,
            overdue_follow_ups: f.overdue_follow_ups,
        }
    }
}

fn compare_areas(sort: CoverageSort, a: &AreaRow, b: &AreaRow) -> Ordering {
    let n = |f: fn(&AreaRow) -> usize| f(a).cmp(&f(b));
    match sort {
        CoverageSort::Name => a.name.cmp(&b.name),
        CoverageSort::Active => n(|r| r.active),
        CoverageSort::Covered => n(|r| r.covered),
        CoverageSort::CoveredShare => a.covered_share.total_cmp(&b.covered_share),
        CoverageSort::Overdue => n(|r| r.overdue),
        CoverageSort::Findings => n(|r| r.findings),
        CoverageSort::OpenFollowUps => n(|r| r.open_follow_ups),
        CoverageSort::OverdueFollowUps => n(|r| r.overdue_follow_ups),
    }
}

/// What the coverage table of one level is asked for.
#[derive(Debug, Clone)]
pub struct CoverageQuery {
    pub date: NaiveDate,
    pub level: AreaLevel,
    pub period_days: i64,
    /// Part of the area's name.
    pub name: Option<String>,
    pub sort: CoverageSort,
    pub order: Order,
}

/// The coverage table's page and the level's totals (over every area the scope holds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveragePage {
    pub total_figures: CoverageFigures,
    #[serde(flatten)]
    pub page: Page<AreaRow>,
}

/// A page of the areas of one level with their coverage on the date, by the rule the map and
/// the CLI count with; with `scope`, the areas holding the scope's venues, counted on those.
/// Venues outside every area of the level are in the totals and in no row.
pub fn coverage_page(
    store: &Store,
    config: &PlanningConfig,
    q: &CoverageQuery,
    scope: Option<&[i64]>,
    page: PageRequest,
) -> anyhow::Result<CoveragePage> {
    let d = coverage_data(store, q.level, scope)?;
    let report = coverage(&crate::planning::coverage::CoverageInputs {
        config,
        date: q.date,
        period_days: q.period_days,
        level: q.level.as_str(),
        areas: &d.areas,
        venues: &d.venues,
        area_of: &d.area_of,
        visits: &d.visits,
        follow_ups: &d.follow_ups,
    });
    let mut rows: Vec<AreaRow> = report
        .areas
        .iter()
        .filter_map(|a| {
            Some(AreaRow::of(
                a.area_id?,
                a.source_id.clone(),
                a.name.clone(),
                &a.figures,
            ))
        })
        .filter(|r| q.name.as_ref().is_none_or(|n| r.name.contains(n.as_str())))
        .collect();
    rows.sort_by(|a, b| {
        q.order
            .apply(compare_areas(q.sort, a, b))
            .then(a.area_id.cmp(&b.area_id))
    });
    Ok(CoveragePage {
        total_figures: report.total,
        page: page.cut(rows),
    })
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

fn optional(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, text)
}

fn kind_name(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Entertainment => "娱乐场所",
        VenueKind::Bathhouse => "洗浴场所",
        VenueKind::Rental => "出租屋",
        VenueKind::Other => "其他",
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Compliant => "合格",
        Outcome::Violation => "违规",
        Outcome::DrugRelated => "涉毒",
        Outcome::ClosedOnArrival => "到场未营业",
        Outcome::RefusedEntry => "拒绝检查",
    }
}

fn status_name(status: FollowUpStatus) -> &'static str {
    match status {
        FollowUpStatus::Open => "进行中",
        FollowUpStatus::Done => "已办结",
        FollowUpStatus::Cancelled => "已撤销",
    }
}

/// The overdue list as a download.
pub fn overdue_table(rows: &[OverdueVenue]) -> Table {
    Table {
        sheet: "逾期未检场所".into(),
        headers: vec![
            "场所",
            "类别",
            "街道",
            "社区",
            "责任单位",
            "最近检查",
            "逾期天数",
            "检查周期",
        ],
        rows: rows
            .iter()
            .map(|v| {
                vec![
                    text(&v.name),
                    text(kind_name(v.kind)),
                    optional(v.township.as_deref()),
                    optional(v.community.as_deref()),
                    optional(v.responsible_unit.as_deref()),
                    v.last_inspected_at
                        .map_or(text("从未检查"), |d| text(d.to_string())),
                    v.days_overdue
                        .map_or(Cell::Empty, |d| Cell::Number(d as f64)),
                    Cell::Number(v.frequency_days as f64),
                ]
            })
            .collect(),
    }
}

/// The follow-up list as a download.
pub fn follow_up_table(rows: &[ListedFollowUp]) -> Table {
    Table {
        sheet: "整改事项".into(),
        headers: vec![
            "编号",
            "场所",
            "发现",
            "措施",
            "责任单位",
            "提出日期",
            "期限",
            "状态",
            "督办级别",
            "已超期",
        ],
        rows: rows
            .iter()
            .map(|l| {
                let f = &l.follow_up;
                vec![
                    Cell::Number(f.id as f64),
                    text(&l.venue),
                    text(outcome_name(f.outcome)),
                    text(&f.action),
                    text(f.escalated_to.as_deref().unwrap_or(&f.responsible_unit)),
                    text(f.raised_on.to_string()),
                    text(f.deadline.to_string()),
                    text(status_name(f.status)),
                    count(f.level as usize),
                    text(if l.late { "是" } else { "否" }),
                ]
            })
            .collect(),
    }
}

/// The coverage table of one level as a download.
pub fn coverage_table(level: AreaLevel, rows: &[AreaRow]) -> Table {
    Table {
        sheet: format!("覆盖情况-{}", level.as_str()),
        headers: vec![
            "区域",
            "在册场所",
            "按期检查",
            "按期率",
            "逾期",
            "检查次数",
            "发现问题",
            "未结整改",
            "超期整改",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.name),
                    count(r.active),
                    count(r.covered),
                    Cell::Number(r.covered_share),
                    count(r.overdue),
                    count(r.inspections),
                    count(r.findings),
                    count(r.open_follow_ups),
                    count(r.overdue_follow_ups),
                ]
            })
            .collect(),
    }
}
