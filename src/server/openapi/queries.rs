//! The query parameters of the JSON API's paged tables (issue 14): name, meaning and the values
//! each takes, so a client reads the sort columns from the document rather than guessing them.

/// A query parameter of a JSON API operation: its name, what it does, and the values it takes
/// (empty: free text, or a number when `integer`).
pub(super) struct QueryParam {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    pub(super) values: &'static [&'static str],
    pub(super) integer: bool,
}

const fn text(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        description,
        values: &[],
        integer: false,
    }
}

const fn number(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        description,
        values: &[],
        integer: true,
    }
}

const fn one_of(
    name: &'static str,
    description: &'static str,
    values: &'static [&'static str],
) -> QueryParam {
    QueryParam {
        name,
        description,
        values,
        integer: false,
    }
}

const LIMIT: QueryParam = number(
    "limit",
    "Rows in the page: 1 to 500, default 50 (not with format=csv)",
);
const OFFSET: QueryParam = number(
    "offset",
    "Rows of the sorted list to skip (not with format=csv)",
);
const ORDER: QueryParam = one_of("order", "The sort direction", &["asc", "desc"]);
const AREA: QueryParam = number(
    "area",
    "Only venues in this township or community (area id)",
);
const FORMAT: QueryParam = one_of(
    "format",
    "json (a page) or csv (the whole filtered, sorted list: UTF-8 with a BOM)",
    &["json", "csv"],
);
pub(super) const OVERDUE_SORTS: &[&str] = &[
    "days_overdue",
    "name",
    "kind",
    "township",
    "community",
    "unit",
    "last_inspected",
];
pub(super) const FOLLOW_UP_SORTS: &[&str] = &[
    "deadline",
    "raised_on",
    "venue",
    "unit",
    "outcome",
    "level",
    "status",
];
pub(super) const COVERAGE_SORTS: &[&str] = &[
    "name",
    "active",
    "covered",
    "covered_share",
    "overdue",
    "findings",
    "open_follow_ups",
    "overdue_follow_ups",
];

/// The query parameters of the paged tables (issue 14), by path.
pub(super) const QUERIES: &[(&str, &[QueryParam])] = &[
    (
        "/api/overdue",
        &[
            LIMIT,
            OFFSET,
            one_of(
                "sort",
                "The column to sort by (default days_overdue, never inspected as the most overdue; ties by venue id)",
                OVERDUE_SORTS,
            ),
            one_of(
                "order",
                "The sort direction (default desc for days_overdue, else asc)",
                &["asc", "desc"],
            ),
            AREA,
            one_of(
                "kind",
                "Only venues of this kind",
                &["entertainment", "bathhouse", "rental", "other"],
            ),
            text("unit", "Only venues this responsible unit answers for"),
            one_of(
                "never",
                "Never inspected (true) or inspected but late (false)",
                &["true", "false"],
            ),
            text("name", "Only venues whose name holds this text"),
            FORMAT,
        ],
    ),
    (
        "/api/follow-ups",
        &[
            LIMIT,
            OFFSET,
            one_of(
                "sort",
                "The column to sort by (default deadline; ties by id)",
                FOLLOW_UP_SORTS,
            ),
            ORDER,
            one_of(
                "status",
                "Only follow-ups in this state",
                &["open", "done", "cancelled"],
            ),
            text(
                "unit",
                "Only those the unit answers for now (escalated to it, else responsible)",
            ),
            AREA,
            one_of(
                "outcome",
                "Only those raised by this finding",
                &[
                    "compliant",
                    "violation",
                    "drug_related",
                    "closed_on_arrival",
                    "refused_entry",
                ],
            ),
            one_of(
                "late",
                "Open with the deadline passed on the plan date (true) or not (false)",
                &["true", "false"],
            ),
            FORMAT,
        ],
    ),
    (
        "/api/coverage",
        &[
            one_of(
                "level",
                "The level of the areas (default township)",
                &["township", "community", "grid"],
            ),
            LIMIT,
            OFFSET,
            one_of(
                "sort",
                "The column to sort by (default covered_share; ties by area id)",
                COVERAGE_SORTS,
            ),
            ORDER,
            text("name", "Only areas whose name holds this text"),
            FORMAT,
        ],
    ),
];
