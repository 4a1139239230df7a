//! The instance key file: the pepper of the pseudonyms and the key that wraps
//! every subject's data key. Kept apart from the data directory in production.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::VaultError;

const HEADER: &str = "\
# Botwerk instance key file: the pepper of all pseudonyms and the key that
# wraps every data key. Without it the data directory cannot be read; with it
# anyone can. Keep it secret, mode 0600, and in production apart from the data
# directory (and its backups).
";

/// The secrets of one instance. Zeroed when dropped.
pub struct InstanceSecret {
    pepper: Zeroizing<[u8; 32]>,
    kek: Zeroizing<[u8; 32]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    version: u32,
    pepper: String,
    kek: String,
}

fn problem(path: &Path, problem: impl Into<String>) -> VaultError {
    VaultError::KeyFile {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

impl InstanceSecret {
    /// Loads the key file at `path`, creating it (mode 0600) if it does not exist.
    ///
    /// # Errors
    /// [`VaultError::KeyFile`], naming the file and the fix, when the file is
    /// readable by group or others, malformed, or cannot be read or written.
    pub fn load_or_create(path: &Path) -> Result<Self, VaultError> {
        match fs::symlink_metadata(path) {
            Ok(_) => Self::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(e) => Err(problem(path, format!("cannot be read: {e}"))),
        }
    }

    /// Loads an existing key file.
    ///
    /// # Errors
    /// See [`InstanceSecret::load_or_create`].
    pub fn load(path: &Path) -> Result<Self, VaultError> {
        check_mode(path)?;
        let text = Zeroizing::new(
            fs::read_to_string(path).map_err(|e| problem(path, format!("cannot be read: {e}")))?,
        );
        let file: KeyFile = toml::from_str(&text).map_err(|e| {
            problem(
                path,
                format!(
                    "is malformed ({}); restore it from your backup — a new key file cannot read the existing data",
                    e.message()
                ),
            )
        })?;
        if file.version != 1 {
            return Err(problem(
                path,
                format!("has version {}, this Botwerk reads version 1", file.version),
            ));
        }
        let (pepper, kek) = (Zeroizing::new(file.pepper), Zeroizing::new(file.kek));
        Ok(Self {
            pepper: decode(path, "pepper", &pepper)?,
            kek: decode(path, "kek", &kek)?,
        })
    }

    fn create(path: &Path) -> Result<Self, VaultError> {
        let mut pepper = Zeroizing::new([0u8; 32]);
        let mut kek = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(pepper.as_mut());
        OsRng.fill_bytes(kek.as_mut());
        let (pepper_hex, kek_hex) = (
            Zeroizing::new(hex::encode(pepper.as_ref())),
            Zeroizing::new(hex::encode(kek.as_ref())),
        );
        let text = Zeroizing::new(format!(
            "{HEADER}version = 1\npepper = \"{}\"\nkek = \"{}\"\n",
            pepper_hex.as_str(),
            kek_hex.as_str()
        ));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)
                .map_err(|e| problem(path, format!("cannot be created: {e}")))?;
        }
        // Write to a private temporary file, then rename: a crash never leaves
        // a half-written key file, and the key is never readable by others.
        let tmp = path.with_extension("key-new");
        // A stale temporary file (or a planted symlink) is removed, and the
        // new one is created exclusively: the secret lands only in a fresh
        // file of mode 0600.
        let _ = fs::remove_file(&tmp);
        write_private(&tmp, text.as_bytes())
            .and_then(|()| fs::rename(&tmp, path))
            .and_then(|()| sync_dir(path))
            .map_err(|e| problem(path, format!("cannot be created: {e}")))?;
        tracing::info!(path = %path.display(), "created a new instance key file");
        Ok(Self { pepper, kek })
    }

    /// A value that identifies this key without revealing it: kept in the
    /// store, so that a key file that does not belong to the data is refused.
    pub(crate) fn check_value(&self) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        let mut out = Vec::with_capacity(32);
        for secret in [&self.kek, &self.pepper] {
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_ref())
                .expect("HMAC takes any key length");
            mac.update(b"botwerk key check v1");
            out.extend_from_slice(&mac.finalize().into_bytes()[..16]);
        }
        out
    }

    /// The pepper of the pseudonym HMAC.
    pub(crate) fn pepper(&self) -> &[u8; 32] {
        &self.pepper
    }

    /// The key-encryption key that wraps data keys.
    pub(crate) fn kek(&self) -> &[u8; 32] {
        &self.kek
    }
}

fn decode(path: &Path, field: &str, text: &str) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text, out.as_mut()).map_err(|_| {
        problem(
            path,
            format!("is malformed: `{field}` must be 64 hexadecimal digits; restore the file from your backup"),
        )
    })?;
    Ok(out)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Syncs the directory of `path`, so that a rename into it survives a crash.
#[cfg(unix)]
fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => fs::File::open(dir)?.sync_all(),
        None => fs::File::open(".")?.sync_all(),
    }
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn check_mode(path: &Path) -> Result<(), VaultError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|e| problem(path, format!("cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(problem(path, "is not a regular file"));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(problem(
            path,
            format!(
                "is readable by group or others (mode {mode:04o}); restrict it with `chmod 600 {}` and start again",
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path) -> Result<(), VaultError> {
    Ok(())
}

/// Whether `key_file` lies inside `data_dir`, which production avoids: a
/// copy of the data directory would then carry its own key.
pub fn inside(key_file: &Path, data_dir: &Path) -> bool {
    let canonical = |p: &Path| -> PathBuf {
        match (p.parent(), p.file_name()) {
            (Some(parent), Some(name)) if !p.exists() => parent
                .canonicalize()
                .map(|c| c.join(name))
                .unwrap_or_else(|_| p.to_owned()),
            _ => p.canonicalize().unwrap_or_else(|_| p.to_owned()),
        }
    };
    canonical(key_file).starts_with(canonical(data_dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_loads_the_same_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/instance.key");
        let first = InstanceSecret::load_or_create(&path).unwrap();
        let again = InstanceSecret::load_or_create(&path).unwrap();
        assert_eq!(first.pepper(), again.pepper());
        assert_eq!(first.kek(), again.kek());
        assert_ne!(first.pepper(), first.kek());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_key_file_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance.key");
        InstanceSecret::load_or_create(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = InstanceSecret::load_or_create(&path)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("mode 0644"), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn refuses_a_malformed_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance.key");
        write_private(&path, b"version = 1\npepper = \"zz\"\nkek = \"00\"\n").unwrap();
        let err = InstanceSecret::load(&path).err().unwrap().to_string();
        assert!(
            err.contains("`pepper` must be 64 hexadecimal digits"),
            "{err}"
        );
        fs::remove_file(&path).unwrap();
        write_private(&path, b"not toml at all [").unwrap();
        let err = InstanceSecret::load(&path).err().unwrap().to_string();
        assert!(err.contains("is malformed"), "{err}");
    }

    #[test]
    fn knows_when_the_key_lies_in_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(&data).unwrap();
        assert!(inside(&data.join("instance.key"), &data));
        assert!(!inside(&dir.path().join("instance.key"), &data));
    }
}
