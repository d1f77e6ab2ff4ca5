//! The plumbing of the commands that talk to a running server through the API
//! (`--server`, `--token`). Errors print the API's reason (field and message) and exit
//! non-zero. Answers are read into the API's own views (`web::api::views`), so a field the
//! server renames is an error here, not a column of `-`.

use anyhow::{Context, bail};
use clap::Args;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Base URL of the Lull server
    #[arg(long, env = "LULL_SERVER", default_value = "http://127.0.0.1:3000", global = true)]
    pub server: String,
    /// API token (from `lull token create`)
    #[arg(long, env = "LULL_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<crate::config::Secret>,
}

/// A client of the server's API that prints what it gets back for people or as JSON.
pub(super) struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    pub json: bool,
}

impl Api {
    pub fn new(args: &ClientArgs, json: bool) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()?,
            base: args.server.trim_end_matches('/').to_string(),
            token: args.token.as_ref().map(|t| t.0.clone()),
            json,
        })
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        match self.send(method, path, body).await? {
            Ok(value) => Ok(value),
            Err((status, err)) => {
                let message = err["message"].as_str().map_or_else(|| err.to_string(), str::to_string);
                match err["field"].as_str() {
                    Some(field) => bail!("{field}: {message} (HTTP {status})"),
                    None if status == 401 => bail!("{message} (HTTP 401; pass --token or set LULL_TOKEN)"),
                    None => bail!("{message} (HTTP {status})"),
                }
            }
        }
    }

    /// Sends a request; the server's refusal comes back as (status, error body) for the
    /// caller to explain (`lull apply` names the file's line).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Result<Value, (u16, Value)>> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach the server at {}", self.base))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            let err: Value = serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({"message": text}));
            return Ok(Err((status.as_u16(), err)));
        }
        if text.is_empty() {
            return Ok(Ok(Value::Null));
        }
        Ok(Ok(
            serde_json::from_str(&text).context("the server's answer is not JSON")?
        ))
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None).await
    }

    /// Prints `value` as the server sent it (`--json`), or read as a `T` through `render`.
    pub fn show<T: DeserializeOwned>(&self, value: Value, render: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(&value)?);
        } else {
            print!("{}", render(&read(value)?));
        }
        Ok(())
    }
}

/// `value` as the view `T`, or an error saying the server and this CLI disagree.
pub(super) fn read<T: DeserializeOwned>(value: Value) -> anyhow::Result<T> {
    serde_json::from_value(value).context("the server's answer is not what this version of lull expects")
}

pub(super) fn urlencode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
