//! Dashboard: the overview at `/admin` (or the first-run setup while there is no admin).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::Duration;

use super::auth::{SignInPage, sign_in_page};
use super::error::HtmlError;
use super::pages::OverviewPage;
use super::session::Admin;
use super::{layout, render};
use crate::domain::lifecycle::EventStatus;
use crate::service::{events, maintenances, monitors, overview};
use crate::store::events::EventFilter;
use crate::web::AppState;

pub(super) async fn home(
    State(state): State<AppState>,
    jar: CookieJar,
    admin: Result<Admin, HtmlError>,
) -> Result<Response, HtmlError> {
    if crate::service::admins::count(&state.services).await? == 0 {
        return sign_in_page(&state, jar, SignInPage::blank(true));
    }
    let Ok(Admin(session)) = admin else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let s = &state.services;
    let monitors = monitors::list(s).await?.len();
    // Plans with a window ahead: finished one-offs are not "active" to a person.
    let active = maintenances::list(s, Some("ACTIVE"))
        .await?
        .iter()
        .filter(|m| m.next_start.is_some())
        .count();
    let now = s.now();
    let soon = EventFilter {
        from: Some(now),
        to: Some(now + Duration::days(7)),
        limit: 200,
        ..Default::default()
    };
    let (ongoing, upcoming) = events::list(s, &soon)
        .await?
        .into_iter()
        .filter(|e| !e.status.is_terminal())
        .partition(|e| e.status == EventStatus::Ongoing);
    let notices = overview::notice_health(s).await?;
    let (n, latest) = overview::silence_problems(s).await?;
    let silences = (n, latest.map(|(e, at)| (e, crate::domain::schedule::format_utc(at))));
    render(
        StatusCode::OK,
        OverviewPage {
            l: layout(&state, "Overview", "overview", Some(&session)),
            mail_configured: state.mail_configured,
            subscribers: notices.confirmed_subscribers,
            outbox: (notices.pending, notices.sent, notices.failed),
            dropped: notices.dropped_this_week,
            failed: notices.recent_failures,
            silences,
            monitors,
            active,
            ongoing,
            upcoming,
        },
    )
}
