//! The JSON API, `/api/v1`. Writes and maintenance reads need a bearer token; the status,
//! events, monitors and schedule preview are public.

mod audit;
mod events;
pub mod idempotency;
mod maintenances;
mod monitors;
mod status;
mod subscribers;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Lull API", description = "Planned maintenance and status for a self-hosted status page."),
    modifiers(&BearerAuth),
    tags(
        (name = "status", description = "What visitors see"),
        (name = "monitors", description = "Services shown on the status page"),
        (name = "maintenances", description = "Planned maintenance: schedules and their settings"),
        (name = "events", description = "Occurrences of maintenances and the operator actions on them"),
        (name = "audit", description = "Who changed what"),
        (name = "subscribers", description = "Email notices: sign-up (public) and the list"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(status::router())
        .merge(monitors::router())
        .merge(maintenances::router())
        .merge(events::router())
        .merge(audit::router())
        .merge(subscribers::router())
        .merge(subscribers::webhook_router())
}
