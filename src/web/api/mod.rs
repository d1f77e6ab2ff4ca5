//! The JSON API, `/api/v1`. Writes and maintenance reads need a bearer token; the status,
//! events, monitors and schedule preview are public.

mod audit;
mod declare;
mod events;
pub mod idempotency;
mod incidents;
mod maintenances;
mod monitors;
mod status;
mod subscribers;
pub mod views;

use axum::Router;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Header, Ref, RefOr, ResponseBuilder, Schema, Type};
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
        (name = "incidents", description = "Unplanned trouble: open, update, resolve"),
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

/// The API's routes and their OpenAPI document.
pub fn router(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut doc) = routes().split_for_parts();
    document_errors(&mut doc);
    let api = api.route_layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer));
    (api, doc)
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(status::router())
        .merge(monitors::router())
        .merge(maintenances::router())
        .merge(events::router())
        .merge(incidents::router())
        .merge(audit::router())
        .merge(declare::router())
        .merge(subscribers::router())
        .merge(subscribers::webhook_router())
}

/// Completes every operation's list of responses with the errors it can answer, each with
/// the [`ErrorBody`](super::error::ErrorBody) schema, so clients (and schemathesis in CI)
/// know every status to expect:
///
/// - 400 a body that is not JSON; 413 a body over 2 MB; 422 input of the wrong shape or
///   value (body, query parameters, `Idempotency-Key`);
/// - 401 a missing or invalid token, where one is needed; 404 an id or slug that names
///   nothing, where the path has one;
/// - 403 a write a browser sent from another site;
/// - 409 a change the lifecycle forbids, or a keyed `POST` whose first try still runs
///   (with `Retry-After`);
/// - 429 too many public sign-ups from one client or for one mailbox;
/// - 503 the database is unreachable (with `Retry-After`).
fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op.as_mut() {
                complete(method, op);
            }
        }
    }
}

fn complete(method: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let in_path = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let in_query = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let writes = method != "GET";
    let body = op.request_body.is_some() || writes;
    let mut errors = vec![];
    if body {
        errors.push(("400", "The body is not JSON."));
        errors.push(("413", "The body is larger than 2 MB."));
    }
    if body || in_query || method == "POST" {
        errors.push(("422", "A field (`field`) is missing or wrong; `message` says why."));
    }
    if secured {
        errors.push(("401", "Missing, invalid or revoked API token."));
    }
    if in_path {
        errors.push(("404", "Nothing has this id or slug."));
    }
    if writes {
        errors.push((
            "403",
            "A browser sent the request from another site (its `Origin` is not this server's).",
        ));
        errors.push((
            "409",
            "The change conflicts with the event's lifecycle or a concurrent change, or a request \
             with the same `Idempotency-Key` is still running.",
        ));
    }
    if writes && !secured {
        errors.push((
            "429",
            "Too many requests from this client or for this address; see `Retry-After`.",
        ));
    }
    // Every operation may read the database (the preview does for `maintenance=ID`).
    errors.push(("503", "The database is unreachable; retry after `Retry-After` seconds."));
    for (status, description) in errors {
        let mut response = ResponseBuilder::new().description(description).content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        );
        if matches!(status, "409" | "429" | "503") {
            response = response.header("Retry-After", Header::new(seconds()));
        }
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(response.build()));
    }
    if method == "POST" && secured {
        // A keyed request whose first try still runs is a 409 that says when to retry,
        // also where the operation documents a 409 of its own.
        if let Some(RefOr::T(conflict)) = op.responses.responses.get_mut("409") {
            conflict
                .headers
                .entry("Retry-After".into())
                .or_insert_with(|| Header::new(seconds()));
        }
        let key = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .description(Some(
                "Any unique string (a UUID): a retry with the same key and body returns the first \
                 result (with `Idempotent-Replayed: true`) instead of doing it again. Kept 24 hours.",
            ))
            .schema(Some(
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build();
        op.parameters.get_or_insert_with(Vec::new).push(key);
    }
}

fn seconds() -> RefOr<Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(Type::Integer)
        .description(Some("seconds"))
        .into()
}
