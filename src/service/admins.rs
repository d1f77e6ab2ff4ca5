//! Dashboard accounts: Argon2id passwords, server-side sessions with a CSRF token each,
//! and a limit on failed sign-ins per client address and per account.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Duration;
use rand::RngCore;

use super::throttle::Throttle;
use super::{Actor, Services};
use crate::domain::FieldError;
use crate::error::{AppError, AppResult};
use crate::store::admins;
use crate::store::is_unique_violation;

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 7;
/// Failed sign-ins allowed per address and per account within [`LOCKOUT_WINDOW`].
pub const MAX_FAILURES: usize = 5;
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(15);

/// The sign-in lockout.
pub fn sign_in_throttle() -> Throttle {
    Throttle::new(MAX_FAILURES, LOCKOUT_WINDOW)
}

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct Session {
    pub admin_id: i64,
    pub email: String,
    pub csrf: String,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor(format!("user:{}", self.email))
    }
}

use crate::domain::validate::Email;
use crate::secret::{sha256_hex, token};

fn check_password(value: &str) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n < 10 {
        Err(FieldError::new("password", "must be at least 10 characters"))
    } else if n > 1000 {
        Err(FieldError::new("password", "must be at most 1000 characters"))
    } else {
        Ok(())
    }
}

/// What an unknown email's password is checked against, so that signing in as nobody
/// costs the same Argon2 work as a wrong password for a real admin (no timing oracle for
/// which emails exist). It must stay a valid Argon2id hash with the parameters of
/// [`hash_password`]'s: an unparsable one would skip the verification altogether.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q5oZ1rN8KZg0cZ9o7gq1oQ0o3x3ZlFq2m7cW0Xq3b9M";

fn hash_password(password: &str) -> AppResult<String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| AppError::Internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

pub async fn count(s: &Services) -> AppResult<i64> {
    let mut conn = s.store.conn().await?;
    Ok(admins::count(&mut conn).await?)
}

/// Creates an admin. With `only_first`, refuses when any admin exists (the setup form):
/// checked before the password is hashed, and again under a lock that makes concurrent
/// setups one after the other (SQLite's write transaction; a table lock on PostgreSQL).
pub async fn create(s: &Services, email: &str, password: &str, only_first: bool) -> AppResult<i64> {
    let email = Email::parse(email)?;
    check_password(password)?;
    let exists = || AppError::Conflict("an admin already exists; sign in instead".into());
    if only_first && count(s).await? > 0 {
        return Err(exists());
    }
    let owned = password.to_string();
    let hash = super::cpu::run(move || hash_password(&owned)).await??;
    let mut tx = s.store.begin().await?;
    if only_first {
        admins::lock(&mut tx, s.store.backend).await?;
        if admins::count(&mut tx).await? > 0 {
            return Err(exists());
        }
    }
    let now = s.now();
    let id = admins::insert(&mut tx, email.as_str(), &hash, now).await.map_err(|e| {
        if is_unique_violation(&e) {
            AppError::invalid("email", "an admin with this email exists")
        } else {
            e.into()
        }
    })?;
    super::audit::record(
        &mut tx,
        &Actor("setup".into()),
        "admin.create",
        "admin",
        id,
        format!("created admin {email}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Why a sign-in failed.
#[derive(Debug)]
pub enum SignInError {
    Wrong,
    TooMany(i64),
    Other(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// Checks a password and opens a session; returns the cookie value and the session.
pub async fn sign_in(
    s: &Services,
    throttle: &Throttle,
    client: &str,
    email: &str,
    password: &str,
) -> Result<(String, Session), SignInError> {
    let now = s.now();
    // What is not an address cannot be an admin's (and is checked like one, below); an
    // email longer than any address must not become a throttle key.
    let email: String = match Email::parse(email) {
        Ok(email) => email.into(),
        Err(_) => email.trim().chars().take(254).collect(),
    };
    let keys = [format!("ip:{client}"), format!("email:{email}")];
    // Counted before the password is checked, in one step, so a parallel burst gets no
    // more guesses than a patient attacker.
    throttle.attempt(&keys, now.timestamp()).map_err(SignInError::TooMany)?;
    // The connection goes back to the pool while the password is hashed: a burst of
    // sign-ins must not hold every connection for the length of an Argon2 check.
    let admin = admins::by_email(&mut *s.store.conn().await?, &email).await?;
    // Verify against a real hash even for unknown emails, so timing tells nothing.
    let stored = admin
        .as_ref()
        .map_or(DUMMY_HASH, |a| a.password_hash.as_str())
        .to_string();
    let password = password.to_string();
    let ok = super::cpu::run(move || {
        PasswordHash::new(&stored)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await?;
    let known = admin.as_ref().map(|a| a.id);
    let Some(admin) = admin.filter(|_| ok) else {
        // Who tried which account, for the admins to see in the audit log.
        let (id, what) = known.map_or((0, "no admin has this email"), |id| (id, "wrong password"));
        super::audit::record(
            &mut *s.store.conn().await?,
            &Actor(format!("client:{client}")),
            "admin.sign_in_failed",
            "admin",
            id,
            format!("sign-in as {email} refused: {what}"),
            now,
        )
        .await?;
        return Err(SignInError::Wrong);
    };
    throttle.clear(&keys);
    let id = token();
    let csrf = token();
    let expires = now + Duration::days(SESSION_DAYS);
    let mut conn = s.store.conn().await?;
    admins::insert_session(&mut conn, &sha256_hex(&id), admin.id, &csrf, now, expires).await?;
    admins::touch_login(&mut conn, admin.id, now).await?;
    admins::delete_expired_sessions(&mut conn, now).await?;
    super::audit::record(
        &mut conn,
        &Actor(format!("user:{}", admin.email)),
        "admin.sign_in",
        "admin",
        admin.id,
        format!("signed in from {client}"),
        now,
    )
    .await?;
    Ok((
        id,
        Session {
            admin_id: admin.id,
            email: admin.email,
            csrf,
        },
    ))
}

/// The live session for a cookie value.
pub async fn session(s: &Services, cookie: &str) -> AppResult<Option<Session>> {
    let mut conn = s.store.conn().await?;
    Ok(admins::session(&mut conn, &sha256_hex(cookie), s.now())
        .await?
        .map(|r| Session {
            admin_id: r.admin_id,
            email: r.email,
            csrf: r.csrf,
        }))
}

/// Every admin, oldest first.
pub async fn list(s: &Services) -> AppResult<Vec<admins::AdminInfo>> {
    Ok(admins::list(&mut *s.store.conn().await?).await?)
}

/// Removes the admin with this email and ends their sessions. The last admin stays: without
/// one, the dashboard would offer the next visitor to become its admin.
pub async fn delete(s: &Services, actor: &Actor, email: &str) -> AppResult<()> {
    let email = Email::parse(email)?;
    let mut tx = s.store.begin().await?;
    admins::lock(&mut tx, s.store.backend).await?;
    let Some(admin) = admins::by_email(&mut tx, email.as_str()).await? else {
        return Err(AppError::invalid("email", "no admin has this email"));
    };
    if admins::count(&mut tx).await? <= 1 {
        return Err(AppError::Conflict(
            "this is the last admin; create another before removing it (without one, whoever opens the dashboard              first becomes its admin)"
                .into(),
        ));
    }
    admins::delete(&mut tx, admin.id).await?;
    let now = s.now();
    super::audit::record(
        &mut tx,
        actor,
        "admin.delete",
        "admin",
        admin.id,
        format!("removed admin {email}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the admin with this email a new password and signs them out everywhere.
pub async fn set_password(s: &Services, actor: &Actor, email: &str, password: &str) -> AppResult<()> {
    let email = Email::parse(email)?;
    check_password(password)?;
    let owned = password.to_string();
    let hash = super::cpu::run(move || hash_password(&owned)).await??;
    let mut tx = s.store.begin().await?;
    let Some(admin) = admins::by_email(&mut tx, email.as_str()).await? else {
        return Err(AppError::invalid("email", "no admin has this email"));
    };
    admins::set_password(&mut tx, admin.id, &hash).await?;
    let now = s.now();
    let summary = format!("new password for {email}; every session ended");
    super::audit::record(&mut tx, actor, "admin.password", "admin", admin.id, summary, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn sign_out(s: &Services, session: &Session, cookie: &str) -> AppResult<()> {
    let mut conn = s.store.conn().await?;
    admins::delete_session(&mut conn, &sha256_hex(cookie)).await?;
    super::audit::record(
        &mut conn,
        &session.actor(),
        "admin.sign_out",
        "admin",
        session.admin_id,
        "signed out",
        s.now(),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(Email::parse(" Ops@Example.COM ").unwrap().as_str(), "ops@example.com");
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "a b@example.com",
            "a@b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_dummy_hash_costs_as_much_as_checking_a_real_password() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let real_hash = hash_password("correct horse battery").unwrap();
        let real = PasswordHash::new(&real_hash).unwrap();
        // Same algorithm, version, memory, passes, lanes and output length as a stored
        // hash, so verifying against it does the same work.
        assert_eq!(dummy.algorithm, argon2::Algorithm::Argon2id.ident());
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        // And a password is really checked against it (not refused for a malformed hash).
        assert_eq!(
            Argon2::default().verify_password(b"anything at all", &dummy),
            Err(argon2::password_hash::Error::Password)
        );
    }
}
