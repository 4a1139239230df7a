//! The cryptography of the vault, all from RustCrypto: HMAC-SHA256 pseudonyms,
//! HKDF-derived subkeys, XChaCha20-Poly1305 sealing with associated data.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use botwerk_core::Identity;

use crate::error::VaultError;

/// Bytes of an XChaCha20-Poly1305 nonce.
pub(crate) const NONCE: usize = 24;
/// Bytes of a Poly1305 tag.
pub(crate) const TAG: usize = 16;

/// `HMAC-SHA256(pepper, "platform:id")`: the only form in which an identity
/// appears in a key of the store.
pub(crate) fn pseudonym(pepper: &[u8; 32], identity: &Identity) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(pepper).expect("HMAC takes any key length");
    mac.update(identity.canonical().as_bytes());
    mac.finalize().into_bytes().into()
}

/// A subject's data key with the subkeys derived from it. Zeroed when dropped.
pub(crate) struct DataKey {
    enc: Zeroizing<[u8; 32]>,
    mac: Zeroizing<[u8; 32]>,
}

impl DataKey {
    /// Derives the sealing and naming subkeys from a 256-bit data key.
    pub(crate) fn derive(raw: &[u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"botwerk data key v1"), raw);
        let mut enc = Zeroizing::new([0u8; 32]);
        let mut mac = Zeroizing::new([0u8; 32]);
        hk.expand(b"seal", enc.as_mut())
            .expect("32 bytes is a valid HKDF output length");
        hk.expand(b"name", mac.as_mut())
            .expect("32 bytes is a valid HKDF output length");
        Self { enc, mac }
    }

    /// Seals `plaintext` so that it opens only with this key and the same `ad`.
    pub(crate) fn seal(&self, ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        seal(&self.enc, ad, plaintext)
    }

    /// Opens what [`DataKey::seal`] sealed.
    pub(crate) fn open(&self, ad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        open(&self.enc, ad, sealed)
    }

    /// A 16-byte keyed name for `parts`: record keys and chat ids appear in the
    /// store only in this form, unlinkable once the key is destroyed.
    pub(crate) fn name(&self, parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.mac.as_ref())
            .expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

/// Seals with XChaCha20-Poly1305: a random nonce, then the ciphertext and tag.
pub(crate) fn seal(key: &[u8; 32], ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    // A fresh random nonce from the thread's CSPRNG (ChaCha, seeded and
    // reseeded from the OS): 192 bits make a collision beyond reach, and
    // there is no system call per record, as with `OsRng`.
    let nonce = XChaCha20Poly1305::generate_nonce(&mut rand::thread_rng());
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: ad,
            },
        )
        .expect("sealing in memory cannot fail");
    let mut out = Vec::with_capacity(NONCE + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens a sealed value; any change to it or to `ad` is an integrity error.
pub(crate) fn open(
    key: &[u8; 32],
    ad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    if sealed.len() < NONCE + TAG {
        return Err(VaultError::Integrity("sealed value too short"));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE);
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            nonce.into(),
            Payload {
                msg: ciphertext,
                aad: ad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Integrity("authentication failed"))
}

/// 16 random bytes from the operating system.
pub(crate) fn random16() -> [u8; 16] {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut out = [0u8; 16];
    OsRng.fill_bytes(&mut out);
    out
}

/// 32 random bytes from the operating system, zeroed when dropped.
pub(crate) fn random32() -> Zeroizing<[u8; 32]> {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut out = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(out.as_mut());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use botwerk_core::Platform;

    #[test]
    fn sealing_binds_key_and_associated_data() {
        let key = DataKey::derive(&[7; 32]);
        let other = DataKey::derive(&[8; 32]);
        let sealed = key.seal(b"records/a", b"secret");
        assert_eq!(&*key.open(b"records/a", &sealed).unwrap(), b"secret");
        assert!(key.open(b"records/b", &sealed).is_err(), "moved");
        assert!(other.open(b"records/a", &sealed).is_err(), "other key");
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(key.open(b"records/a", &flipped).is_err(), "tampered");
        assert!(key.open(b"records/a", &sealed[..10]).is_err(), "truncated");
    }

    #[test]
    fn pseudonyms_depend_on_pepper_and_identity() {
        let alice = Identity::new(Platform::Telegram, 42_i64);
        let bob = Identity::new(Platform::Discord, 42_i64);
        assert_eq!(pseudonym(&[1; 32], &alice), pseudonym(&[1; 32], &alice));
        assert_ne!(pseudonym(&[1; 32], &alice), pseudonym(&[2; 32], &alice));
        assert_ne!(pseudonym(&[1; 32], &alice), pseudonym(&[1; 32], &bob));
    }

    #[test]
    fn names_are_keyed_and_unambiguous() {
        let key = DataKey::derive(&[7; 32]);
        assert_ne!(key.name(&[b"ab", b"c"]), key.name(&[b"a", b"bc"]));
        assert_ne!(key.name(&[b"x"]), DataKey::derive(&[9; 32]).name(&[b"x"]));
    }
}
