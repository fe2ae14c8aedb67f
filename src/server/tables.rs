//! The manager's tables over HTTP (issue 14): the overdue venues, the follow-ups and the
//! coverage of each area, a page at a time with a sort column from a fixed list, an order,
//! filters and the total; `format=csv` downloads the whole filtered, sorted list instead. The
//! paging is the store's (SQL) or the workflow's (computed figures); this only reads the query
//! and keeps an account to its areas.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use super::query::Typed;
use crate::model::{AreaLevel, FollowUpStatus, Order, Outcome, PageRequest, Role, VenueKind};
use crate::store::{FollowUpFilter, FollowUpSort};
use crate::workflow::report_files::Table;
use crate::workflow::tables::{
    CoverageQuery, CoverageSort, OverdueFilter, OverdueSort, coverage_page, coverage_table,
    follow_up_table, overdue_page, overdue_table,
};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// JSON for a screen (a page), or CSV for a download (every row).
#[derive(Clone, Copy)]
enum Format {
    Page(PageRequest),
    Csv,
}

fn format(
    format: Option<&str>,
    limit: Option<usize>,
    offset: Option<usize>,
) -> Result<Format, ApiError> {
    match format.unwrap_or("json") {
        "json" => PageRequest::screen(limit, offset)
            .map(Format::Page)
            .map_err(|(field, message)| ApiError::bad_request(field, message)),
        "csv" if limit.is_some() || offset.is_some() => Err(ApiError::bad_request(
            if limit.is_some() { "limit" } else { "offset" },
            "a CSV download holds every row: no limit or offset",
        )),
        "csv" => Ok(Format::Csv),
        other => Err(ApiError::bad_request(
            "format",
            format!(
                "no {:?} format here (known: json, csv)",
                crate::model::excerpt(other, 20)
            ),
        )),
    }
}

fn csv(table: &Table, name: &str) -> Result<Response, ApiError> {
    super::reports::file(std::slice::from_ref(table), name, "csv")
}

/// A text filter as given, or none when blank.
fn given(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OverdueParams {
    limit: Option<usize>,
    offset: Option<usize>,
    sort: Option<OverdueSort>,
    order: Option<Order>,
    area: Option<i64>,
    kind: Option<VenueKind>,
    unit: Option<String>,
    never: Option<bool>,
    name: Option<String>,
    format: Option<String>,
}

/// `GET /api/overdue`: the active venues overdue on the plan date, most overdue first.
pub(super) async fn overdue(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<OverdueParams>,
) -> Result<Response, ApiError> {
    who.require(&[Role::Manager, Role::Admin], "list overdue venues")?;
    let how = format(q.format.as_deref(), q.limit, q.offset)?;
    let sort = q.sort.unwrap_or_default();
    let order = q.order.unwrap_or(sort.default_order());
    let filter = OverdueFilter {
        area: q.area,
        kind: q.kind,
        unit: given(q.unit),
        never: q.never,
        name: given(q.name),
    };
    let date = state.plan_date().await?;
    let rules = state.clone();
    let account = who.0.clone();
    let page = match how {
        Format::Page(p) => p,
        Format::Csv => PageRequest::ALL,
    };
    let page = state
        .read(move |s| {
            let scope = account.scope();
            Ok(overdue_page(
                s,
                &rules.config,
                date,
                scope,
                &filter,
                (sort, order),
                page,
            )?)
        })
        .await?;
    if let Format::Csv = how {
        return csv(
            &overdue_table(&page.items),
            &format!("逾期未检场所-{date}.csv"),
        );
    }
    Ok(Json(json!({
        "date": date,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "sort": sort,
        "order": order,
        "venues": page.items,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FollowUpParams {
    limit: Option<usize>,
    offset: Option<usize>,
    sort: Option<FollowUpSort>,
    order: Option<Order>,
    status: Option<FollowUpStatus>,
    unit: Option<String>,
    area: Option<i64>,
    outcome: Option<Outcome>,
    late: Option<bool>,
    format: Option<String>,
}

/// `GET /api/follow-ups`: follow-ups by deadline (or the column asked), each with its venue's
/// name and whether it is late on the plan date.
pub(super) async fn follow_ups(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<FollowUpParams>,
) -> Result<Response, ApiError> {
    who.require(
        &[Role::Manager, Role::Admin, Role::Planner],
        "list follow-ups",
    )?;
    let how = format(q.format.as_deref(), q.limit, q.offset)?;
    let (sort, order) = (q.sort.unwrap_or_default(), q.order.unwrap_or_default());
    let day = state.plan_date().await?;
    let filter = FollowUpFilter {
        status: q.status,
        unit: given(q.unit),
        area: q.area,
        outcome: q.outcome,
        late: q.late,
        day: Some(day),
        scope: who.0.scope().map(<[i64]>::to_vec),
    };
    let page = match how {
        Format::Page(p) => p,
        Format::Csv => PageRequest::ALL,
    };
    let page = state
        .read(move |s| Ok(s.follow_up_page(&filter, sort, order, page)?))
        .await?;
    if let Format::Csv = how {
        return csv(
            &follow_up_table(&page.items),
            &format!("整改事项-{day}.csv"),
        );
    }
    Ok(Json(json!({
        "day": day,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "follow_ups": page.items,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CoverageParams {
    level: Option<AreaLevel>,
    limit: Option<usize>,
    offset: Option<usize>,
    sort: Option<CoverageSort>,
    order: Option<Order>,
    name: Option<String>,
    format: Option<String>,
}

/// `GET /api/coverage?level=township|community|grid`: the coverage table's rows (no geometry),
/// worst covered first, with the level's totals.
pub(super) async fn coverage(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<CoverageParams>,
) -> Result<Response, ApiError> {
    who.require(
        &[Role::Manager, Role::Admin, Role::Planner],
        "read coverage",
    )?;
    let how = format(q.format.as_deref(), q.limit, q.offset)?;
    let level = q.level.unwrap_or(AreaLevel::Township);
    let query = CoverageQuery {
        date: state.plan_date().await?,
        level,
        period_days: super::catalogue::COVERAGE_PERIOD_DAYS,
        name: given(q.name),
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or_default(),
    };
    let page = match how {
        Format::Page(p) => p,
        Format::Csv => PageRequest::ALL,
    };
    let rules = state.clone();
    let account = who.0.clone();
    let asked = query.clone();
    let answer = state
        .read(move |s| {
            Ok(coverage_page(
                s,
                &rules.config,
                &asked,
                account.scope(),
                page,
            )?)
        })
        .await?;
    if let Format::Csv = how {
        let name = format!("覆盖情况-{}-{}.csv", level.as_str(), query.date);
        return csv(&coverage_table(level, &answer.page.items), &name);
    }
    Ok(Json(json!({
        "date": query.date,
        "level": level,
        "period_days": query.period_days,
        "total": answer.page.total,
        "offset": answer.page.offset,
        "limit": answer.page.limit,
        "sort": query.sort,
        "order": query.order,
        "figures": answer.total_figures,
        "areas": answer.page.items,
    }))
    .into_response())
}
