//! `lull apply -f lull.toml [--dry-run]` and `lull export`: monitors and maintenance plans
//! as a file kept with the rest of an operator's configuration. The file is read and
//! checked here (its syntax and field names, with the line of each mistake), then sent
//! to the server, which works out the changes and makes them in one transaction.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use reqwest::Method;
use serde::Deserialize;

use super::api::{Api, ClientArgs, read};
use crate::service::declare::{Declaration, MaintenanceDecl, MonitorDecl, Outcome};

/// The file as read, with where each declared item is in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    monitors: Vec<toml::Spanned<MonitorDecl>>,
    #[serde(default)]
    maintenances: Vec<toml::Spanned<MaintenanceDecl>>,
}

/// Reads a declaration file; an error names the file, line and what is wrong.
fn load(path: &Path) -> anyhow::Result<(String, File)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match toml::from_str::<File>(&text) {
        Ok(file) => Ok((text, file)),
        Err(e) => {
            let line = e.span().map_or(0, |s| line_of(&text, s.start));
            bail!("{}:{line}: {}", path.display(), e.message())
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Where the server's `monitors[1].url` is in the file: the line that sets the field in
/// that item, else the item's first line, and what the item is.
fn locate(text: &str, file: &File, field: &str) -> Option<(usize, String)> {
    let (list, rest) = field.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index: usize = index.parse().ok()?;
    let name = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
    let (span, what): (Range<usize>, String) = match list {
        "monitors" => {
            let m = file.monitors.get(index)?;
            (m.span(), format!("monitor '{}'", m.get_ref().slug))
        }
        "maintenances" => {
            let m = file.maintenances.get(index)?;
            (m.span(), format!("maintenance '{}'", m.get_ref().key))
        }
        _ => return None,
    };
    // The item runs from its header to the next table's (a span may hold only the header).
    let mut offset = span.start;
    let mut at = None;
    for (n, line) in text[span.start..].split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if n > 0 && trimmed.starts_with("[[") && !trimmed.starts_with(&format!("[[{list}.")) {
            break;
        }
        let key = trimmed.split(['=', ' ']).next().unwrap_or("");
        if !name.is_empty() && key == name {
            at = Some(line_of(text, offset));
            break;
        }
        offset += line.len();
    }
    Some((at.unwrap_or_else(|| line_of(text, span.start)), what))
}

pub async fn apply(args: ClientArgs, json: bool, path: PathBuf, dry_run: bool) -> anyhow::Result<()> {
    let (text, file) = load(&path)?;
    let decl = Declaration {
        monitors: file.monitors.iter().map(|m| m.get_ref().clone()).collect(),
        maintenances: file.maintenances.iter().map(|m| m.get_ref().clone()).collect(),
    };
    let api = Api::new(&args, json)?;
    let query = if dry_run { "?dry_run=true" } else { "" };
    let body = serde_json::to_value(&decl)?;
    let answer = match api
        .send(Method::POST, &format!("/api/v1/apply{query}"), Some(body))
        .await?
    {
        Ok(v) => v,
        Err((status, err)) => {
            let message = err["message"].as_str().unwrap_or("refused").to_string();
            let where_ = err["field"].as_str().map(|f| (f, locate(&text, &file, f)));
            match where_ {
                Some((field, Some((line, what)))) => {
                    let name = field.rsplit_once('.').map_or(field, |(_, n)| n);
                    bail!(
                        "{}:{line}: {what}: {name}: {message} (nothing was changed)",
                        path.display()
                    )
                }
                Some((field, None)) => bail!(
                    "{}: {field}: {message} (HTTP {status}; nothing was changed)",
                    path.display()
                ),
                None if status == 401 => bail!("{message} (HTTP 401; pass --token or set LULL_TOKEN)"),
                None => bail!("{message} (HTTP {status}; nothing was changed)"),
            }
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let outcome: Outcome = read(answer)?;
    print!("{}", render(&outcome, &path, dry_run));
    Ok(())
}

/// The changes like `terraform plan`: `+` create, `~` update (with the fields), `-`
/// deactivate, then the counts.
fn render(o: &Outcome, path: &Path, dry_run: bool) -> String {
    if o.changes.is_empty() {
        return format!("No changes: the server already matches {}.\n", path.display());
    }
    let mut out = String::new();
    let mut counts = [0; 3];
    for c in &o.changes {
        let (sign, i) = match c.action.as_str() {
            "create" => ('+', 0),
            "update" => ('~', 1),
            _ => ('-', 2),
        };
        counts[i] += 1;
        let fields = if c.fields.is_empty() {
            String::new()
        } else {
            format!(": {}", c.fields.join(", "))
        };
        out.push_str(&format!("  {sign} {} {} ({}{fields})\n", c.kind, c.key, c.action));
    }
    out.push_str(&format!(
        "{}: {} to create, {} to update, {} to deactivate.\n",
        if dry_run {
            "Plan (dry run, nothing changed)"
        } else {
            "Applied"
        },
        counts[0],
        counts[1],
        counts[2]
    ));
    out
}

pub async fn export(args: ClientArgs, output: Option<PathBuf>) -> anyhow::Result<()> {
    let api = Api::new(&args, false)?;
    let decl: Declaration = read(api.get("/api/v1/export").await?)?;
    let text = format!(
        "# Lull monitors and maintenance plans; `lull apply -f FILE` makes a server match it.\n\
         # Plans made elsewhere are named maintenance-ID; give them keys of your own freely.\n\n{}",
        toml::to_string(&decl).context("writing TOML")?
    );
    match output {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}
