//! `lull status`: what the status page shows now.

use super::api::{Api, ClientArgs};
use super::{event, output::table};
use crate::web::api::views::StatusView;

pub async fn run(args: ClientArgs, json: bool) -> anyhow::Result<()> {
    let api = Api::new(&args, json)?;
    let v = api.get("/api/v1/status").await?;
    api.show(v, render)
}

fn render(v: &StatusView) -> String {
    let rows = v
        .monitors
        .iter()
        .map(|m| {
            vec![
                m.slug.clone(),
                m.name.clone(),
                m.status.as_str().to_string(),
                m.effective_status.as_str().to_string(),
            ]
        })
        .collect();
    let mut out = table(&["SLUG", "NAME", "OWN", "SHOWN"], rows);
    for (label, list) in [("Ongoing", &v.ongoing), ("Upcoming", &v.upcoming)] {
        if !list.is_empty() {
            out.push_str(&format!("\n{label}:\n"));
            out.push_str(&event::table(list));
        }
    }
    out
}
