//! Random secrets and the form they are stored in: every token, session id, CSRF token and
//! webhook secret is [`random_hex`] (256 bits unless said otherwise, from the operating
//! system's generator through `rand`), and what the database keeps of a bearer secret is
//! its [`sha256_hex`], so a copy of the database lets no one sign in, call the API or
//! unsubscribe anyone.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A 256-bit random secret as lower-case hex.
pub fn token() -> String {
    random_hex(32)
}

/// How a bearer secret is stored: its SHA-256, as hex.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_hex_and_differ() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_stored_form_is_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
