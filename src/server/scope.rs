//! The areas an account answers for, as the server enforces them (issue 13): reads show only
//! what lies in the account's townships or communities (another area's record is 404, as if it
//! did not exist), writes to anything outside them are 403. Map layers and their tiles filter
//! by `catalogue::LayerDef::viewer`; these are the checks for single records.

use super::Shared;
use super::error::ApiError;
use crate::model::Account;

/// Whether venue `venue` lies in the account's areas (always, for a district-wide account).
pub async fn sees_venue(state: &Shared, account: &Account, venue: i64) -> Result<bool, ApiError> {
    if account.scope().is_none() {
        return Ok(true);
    }
    let areas = state.read(move |s| Ok(s.venue_areas(venue)?)).await?;
    Ok(areas.is_some_and(|a| account.sees(&a)))
}

/// 403 unless the account may act on venue `venue`.
pub async fn may_act_on_venue(
    state: &Shared,
    account: &Account,
    venue: i64,
) -> Result<(), ApiError> {
    if sees_venue(state, account, venue).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "venue {venue} lies outside the areas your account answers for"
        )))
    }
}

/// 403 for an account limited to some areas: the district's plan is not one area's to change.
pub fn district_wide(account: &Account, what: &str) -> Result<(), ApiError> {
    match account.scope() {
        None => Ok(()),
        Some(_) => Err(ApiError::forbidden(format!(
            "an account limited to some areas may not {what}: that is the district's"
        ))),
    }
}
