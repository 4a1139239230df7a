//! Startup refuses what would put data at risk, with a message naming the
//! file and the fix.

use std::process::{Command, Stdio};

fn botwerk(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .args(args)
        .current_dir(dir)
        .env_remove("BOTWERK_DATA")
        .env_remove("BOTWERK_KEY_FILE")
        .env_remove("BOTWERK_POLICY")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("the botwerk binary runs")
}

#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_stops_startup() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let first = botwerk(dir.path(), &["--key-file", "secret/instance.key"]);
    assert!(first.status.success());
    let key = dir.path().join("secret/instance.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let second = botwerk(dir.path(), &["--key-file", "secret/instance.key"]);
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("key file secret/instance.key"), "{stderr}");
    assert!(
        stderr.contains("readable by group or others (mode 0644)"),
        "{stderr}"
    );
    assert!(stderr.contains("chmod 600 secret/instance.key"), "{stderr}");
}

#[test]
fn a_key_file_in_the_data_directory_gets_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = botwerk(dir.path(), &[]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("lies inside the data directory; production keeps it elsewhere"),
        "{stderr}"
    );
    let apart = botwerk(
        dir.path(),
        &["--data-dir", "d2", "--key-file", "k/instance.key"],
    );
    assert!(!String::from_utf8_lossy(&apart.stderr).contains("inside the data directory"));
}

#[test]
fn a_malformed_policy_stops_startup_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let policy = botwerk_policy_with_typo();
    std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
    let out = botwerk(dir.path(), &["--policy", "policy.toml"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("policy file policy.toml, line 3"),
        "{stderr}"
    );
    assert!(stderr.contains("controler"), "{stderr}");
}

fn botwerk_policy_with_typo() -> &'static str {
    "effective = 2026-11-01\n\n[controler]\nname = \"x\"\n"
}

#[test]
fn a_second_process_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .current_dir(dir.path())
        .env_remove("BOTWERK_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first process holds the store once it answers.
    let mut stdin = first.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"/privacy\n").unwrap();
    let mut stdout = first.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut byte).unwrap();
    let second = botwerk(dir.path(), &[]);
    drop(stdin);
    let _ = first.wait();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("is another botwerk process using it?"),
        "{stderr}"
    );
}
