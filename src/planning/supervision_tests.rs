use super::*;
use crate::model::Outcome;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn open() -> FollowUp {
    FollowUp {
        id: 7,
        ..FollowUp::raised(
            1,
            2,
            Outcome::Violation,
            day(1),
            ("整改复查", "commerce", day(8)),
        )
    }
}

fn settings() -> SupervisionSettings {
    SupervisionSettings {
        max_extensions: 2,
        max_extension_days: 14,
        escalate_to: "district_office".into(),
        escalation_days: 3,
        max_level: 3,
        max_reason_chars: 500,
        webhook_url: String::new(),
        webhook_at: "07:30".into(),
    }
}

fn extend(days: i64) -> SupervisionAction {
    SupervisionAction::Extend {
        days,
        reason: "停业装修".into(),
    }
}

#[test]
fn an_extension_moves_the_deadline_at_most_the_configured_times() {
    let s = settings();
    let once = apply(&open(), &extend(5), day(3), &s).unwrap();
    assert_eq!(once.follow_up.deadline, day(13));
    assert_eq!(once.follow_up.extensions, 1);
    assert_eq!(once.event.kind, EventKind::Extend);
    assert_eq!(once.event.deadline, day(13));
    assert_eq!(once.event.reason.as_deref(), Some("停业装修"));
    let twice = apply(&once.follow_up, &extend(1), day(3), &s).unwrap();
    let refused = apply(&twice.follow_up, &extend(1), day(3), &s).unwrap_err();
    assert!(
        refused.conflict && refused.message.contains("2 times"),
        "{refused:?}"
    );
    let too_long = apply(&open(), &extend(15), day(3), &s).unwrap_err();
    assert_eq!(too_long.field, "days");
    assert!(!too_long.conflict);
    let still_past = apply(&open(), &extend(1), day(12), &s).unwrap_err();
    assert!(
        still_past.message.contains("at least 4 days"),
        "{still_past:?}"
    );
    let no_reason = SupervisionAction::Extend {
        days: 2,
        reason: "  ".into(),
    };
    assert_eq!(
        apply(&open(), &no_reason, day(3), &s).unwrap_err().field,
        "reason"
    );
}

#[test]
fn a_deadline_passing_escalates_and_passing_again_raises_the_level() {
    let s = settings();
    let f = open();
    assert_eq!(
        overdue(&f, day(8), &s),
        None,
        "not late on its deadline day"
    );
    let first = overdue(&f, day(9), &s).unwrap();
    assert_eq!(first.follow_up.level, 1);
    assert_eq!(
        first.follow_up.escalated_to.as_deref(),
        Some("district_office")
    );
    assert_eq!(first.follow_up.escalation_due, Some(day(12)));
    assert_eq!(first.event.kind, EventKind::Overdue);
    assert_eq!(
        first.follow_up.deadline,
        day(8),
        "the agreed deadline stays: it is late"
    );
    assert_eq!(
        overdue(&first.follow_up, day(12), &s),
        None,
        "within the time limit"
    );
    let second = overdue(&first.follow_up, day(13), &s).unwrap();
    assert_eq!(second.follow_up.level, 2);
    let third = overdue(&second.follow_up, day(20), &s).unwrap();
    assert_eq!(third.follow_up.level, 3);
    assert_eq!(
        overdue(&third.follow_up, day(30), &s),
        None,
        "the highest level"
    );
}

#[test]
fn a_manager_escalates_to_a_unit_up_to_the_highest_level() {
    let s = settings();
    let to_police = SupervisionAction::Escalate {
        unit: "属地派出所".into(),
        reason: "拒不整改".into(),
    };
    let up = apply(&open(), &to_police, day(4), &s).unwrap();
    assert_eq!(up.follow_up.level, 1);
    assert_eq!(up.follow_up.escalated_to.as_deref(), Some("属地派出所"));
    assert_eq!(up.follow_up.escalation_due, Some(day(7)));
    // The time limit of that escalation passing raises it again, to the same unit.
    let late = overdue(&up.follow_up, day(8), &s).unwrap();
    assert_eq!(late.follow_up.level, 2);
    assert_eq!(late.follow_up.escalated_to.as_deref(), Some("属地派出所"));
    let top = FollowUp { level: 3, ..open() };
    assert!(apply(&top, &to_police, day(4), &s).unwrap_err().conflict);
}

#[test]
fn cancel_and_close_end_it_and_nothing_more_can_be_done() {
    let s = settings();
    let cancel = SupervisionAction::Cancel {
        reason: "误报".into(),
    };
    let cancelled = apply(&open(), &cancel, day(2), &s).unwrap();
    assert_eq!(cancelled.follow_up.status, FollowUpStatus::Cancelled);
    assert_eq!(cancelled.follow_up.closed_how, Some(ClosedHow::Cancelled));
    assert_eq!(cancelled.follow_up.closed_on, Some(day(2)));
    let again = apply(&cancelled.follow_up, &extend(2), day(2), &s).unwrap_err();
    assert!(
        again.conflict && again.message.contains("cancelled"),
        "{again:?}"
    );
    assert_eq!(overdue(&cancelled.follow_up, day(20), &s), None);

    let no_photo = SupervisionAction::Close {
        note: "已整改".into(),
        photos: 0,
    };
    assert_eq!(
        apply(&open(), &no_photo, day(5), &s).unwrap_err().field,
        "photos"
    );
    let with_photo = SupervisionAction::Close {
        note: "已整改，见照片".into(),
        photos: 2,
    };
    let closed = apply(&open(), &with_photo, day(5), &s).unwrap();
    assert_eq!(closed.follow_up.status, FollowUpStatus::Done);
    assert_eq!(closed.follow_up.closed_how, Some(ClosedHow::Evidence));
    assert_eq!(
        closed.follow_up.close_note.as_deref(),
        Some("已整改，见照片")
    );
    assert_eq!(closed.event.kind, EventKind::Close);
}

#[test]
fn open_and_late_read_a_past_day_as_it_stood() {
    let s = settings();
    let closed = closed_by_visit(&open(), 9, day(10)).follow_up;
    assert!(closed.open_on(day(9)) && closed.late_on(day(9)));
    assert!(!closed.open_on(day(10)));
    assert!(
        !open().open_on(day(1).pred_opt().unwrap()),
        "not before it was raised"
    );
    let reason = "x".repeat(501);
    let long = SupervisionAction::Cancel { reason };
    assert!(
        apply(&open(), &long, day(2), &s)
            .unwrap_err()
            .message
            .contains("500")
    );
}

#[test]
fn the_webhook_is_off_by_default_and_its_url_and_time_are_checked() {
    let s = SupervisionSettings::default();
    assert_eq!(s.webhook(), None);
    assert_eq!(s.webhook_time().unwrap().to_string(), "07:30:00");
    let with = |url: &str, at: &str| SupervisionSettings {
        webhook_url: url.into(),
        webhook_at: at.into(),
        ..settings()
    };
    assert!(
        with("https://hooks.example/patrolmap", "06:00")
            .validate()
            .is_ok()
    );
    assert!(
        with("ftp://x", "06:00")
            .validate()
            .unwrap_err()
            .contains("webhook_url")
    );
    assert!(
        with("", "25:00")
            .validate()
            .unwrap_err()
            .contains("webhook_at")
    );
}
