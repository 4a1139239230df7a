//! The admin socket: how operator commands reach a running instance. sled
//! admits one process per data directory, so a running instance serves
//! requests on a Unix socket in its data directory (mode 0600), and the
//! operator commands use it when it answers, and the data directory itself
//! when it does not.

use std::path::{Path, PathBuf};

use botwerk_core::CancellationToken;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::operator::{Operator, Request, Response};

/// The admin socket of the data directory `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.sock")
}

/// Serves `operator` on `path` until `stop` is cancelled.
///
/// # Errors
/// When the socket cannot be bound.
pub async fn serve(
    path: PathBuf,
    operator: Operator,
    stop: CancellationToken,
) -> std::io::Result<()> {
    // A socket file left by a crashed run answers nobody: remove it. One
    // that answers belongs to a running instance, which the store's lock
    // already rules out.
    if path.exists() && UnixStream::connect(&path).await.is_err() {
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    loop {
        let (stream, _) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "admin socket accept failed");
                    continue;
                }
            },
        };
        let operator = operator.clone();
        tokio::spawn(async move {
            if let Err(e) = answer(stream, operator).await {
                tracing::warn!(error = %e, "an admin request failed");
            }
        });
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

async fn answer(stream: UnixStream, operator: Operator) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let Some(line) = lines.next_line().await? else {
        return Ok(());
    };
    let request: Request = match serde_json::from_str(&line) {
        Ok(request) => request,
        Err(e) => {
            let response = Response::Error {
                message: format!("not a request: {e}"),
            };
            return send(&mut write, &response).await;
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let work = tokio::spawn(async move {
        let mut progress = |done, total| {
            let _ = tx.send(Response::Progress { done, total });
        };
        operator.execute(request, &mut progress).await
    });
    while let Some(progress) = rx.recv().await {
        send(&mut write, &progress).await?;
    }
    let response = work.await.unwrap_or_else(|_| Response::Error {
        message: "the request panicked".into(),
    });
    send(&mut write, &response).await
}

async fn send(
    write: &mut tokio::net::unix::OwnedWriteHalf,
    response: &Response,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(response).map_err(std::io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await
}

/// Sends `request` to the instance serving `path`. `Ok(None)`: no instance
/// answers there (it is not running).
///
/// # Errors
/// When the instance answers but the exchange fails.
pub async fn call(
    path: &Path,
    request: &Request,
    progress: &mut dyn FnMut(u64, u64),
) -> std::io::Result<Option<Response>> {
    let stream = match UnixStream::connect(path).await {
        Ok(stream) => stream,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_vec(request).map_err(std::io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await?;
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await? {
        match serde_json::from_str(&line).map_err(std::io::Error::other)? {
            Response::Progress { done, total } => progress(done, total),
            response => return Ok(Some(response)),
        }
    }
    Err(std::io::Error::other(
        "the instance closed the admin socket without an answer",
    ))
}
