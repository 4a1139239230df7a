//! The gateway: one websocket session per connection, speaking JSON text frames.
//!
//! A session says HELLO, answers IDENTIFY with READY (or closes with 4004 on a wrong
//! token), RESUME with RESUMED, heartbeats with heartbeat ACKs, and then sends the queued
//! dispatches as they come. A Close frame from the client is answered so that the client's
//! shutdown returns at once.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::payload;
use super::state::{Next, Shared};
use super::TOKEN;

/// The heartbeat interval HELLO announces; long, so short tests see no heartbeats.
const HEARTBEAT_MS: u64 = 41_250;
/// How long a closing session waits for the client to finish the close handshake.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// `GET /gateway?v=10` with an upgrade: starts a session.
pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Some(version) = query.get("v").filter(|v| *v != "10") {
        let violation = format!("gateway: connected with v={version}, the fake speaks v=10");
        shared.lock().violation(violation);
    }
    upgrade.on_upgrade(move |socket| Session::new(shared, socket).run())
}

/// One websocket connection.
struct Session {
    shared: Arc<Shared>,
    socket: WebSocket,
    /// Whether this connection got READY or RESUMED and so receives dispatches.
    ready: bool,
    /// The kick count when the connection opened; a higher one closes it.
    kicks: u64,
}

impl Session {
    fn new(shared: Arc<Shared>, socket: WebSocket) -> Self {
        let kicks = shared.lock().gateway.kicks;
        Self {
            shared,
            socket,
            ready: false,
            kicks,
        }
    }

    async fn run(mut self) {
        let hello = json!({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}});
        if self.send(&hello).await.is_ok() {
            self.serve().await;
        }
        self.set_ready(false);
    }

    async fn serve(&mut self) {
        let shared = Arc::clone(&self.shared);
        loop {
            let queued = shared.dispatches.notified();
            tokio::pin!(queued);
            // Registers before flushing, so a dispatch queued meanwhile still wakes us.
            queued.as_mut().enable();
            if shared.lock().gateway.kicks != self.kicks {
                // 4000 is "unknown error": the client reconnects and resumes.
                self.close(4000, "the fake asked to reconnect").await;
                return;
            }
            if self.ready && self.flush().await.is_err() {
                return;
            }
            tokio::select! {
                frame = self.socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if self.handle(text.as_str()).await.is_break() {
                            return;
                        }
                    }
                    Some(Ok(Message::Close(_))) => {
                        // axum queued the closing reply; reading on flushes it.
                        self.drain().await;
                        return;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return,
                },
                () = &mut queued => {}
                () = shared.shutdown.cancelled() => {
                    self.close(1001, "the fake stopped").await;
                    return;
                }
            }
        }
    }

    /// Handles one frame from the client; `Break` ends the session.
    async fn handle(&mut self, text: &str) -> ControlFlow<()> {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            self.violation(format!("gateway: a frame is not JSON: {text:.200}"));
            return ControlFlow::Continue(());
        };
        let sent = match frame["op"].as_u64() {
            Some(1) => self.send(&json!({"op": 11})).await,
            Some(2) => return self.identify(frame["d"].clone()).await,
            Some(6) => self.resume(&frame["d"]).await,
            // Presence, voice state and guild member requests: nothing to answer.
            Some(3 | 4 | 8) => Ok(()),
            op => {
                self.violation(format!("gateway: unknown opcode {op:?} in {text:.200}"));
                Ok(())
            }
        };
        match sent {
            Ok(()) => ControlFlow::Continue(()),
            Err(()) => ControlFlow::Break(()),
        }
    }

    async fn identify(&mut self, identify: Value) -> ControlFlow<()> {
        let token_ok = identify["token"] == format!("Bot {TOKEN}");
        if self.ready {
            self.violation("gateway: IDENTIFY on a connection that is already ready".to_owned());
        }
        let ready = {
            let mut inner = self.shared.lock();
            inner.gateway.identify = Some(identify);
            if !token_ok {
                inner.violation("gateway: IDENTIFY with a wrong token".to_owned());
                None
            } else {
                let gateway = &mut inner.gateway;
                gateway.sessions += 1;
                let session_id = format!("fake-session-{}", gateway.sessions);
                gateway.session_id = Some(session_id.clone());
                gateway.seq = 0;
                let ready = payload::ready(&session_id, &self.shared.gateway_url);
                Some(gateway.frame("READY", ready))
            }
        };
        self.shared.activity.notify_waiters();
        let Some(ready) = ready else {
            self.close(4004, "Authentication failed.").await;
            return ControlFlow::Break(());
        };
        if self.send(&ready).await.is_err() {
            return ControlFlow::Break(());
        }
        self.set_ready(true);
        ControlFlow::Continue(())
    }

    async fn resume(&mut self, resume: &Value) -> Result<(), ()> {
        let resumed = {
            let mut inner = self.shared.lock();
            let gateway = &mut inner.gateway;
            let known = gateway
                .session_id
                .as_deref()
                .is_some_and(|s| resume["session_id"] == s);
            (known && resume["token"] == format!("Bot {TOKEN}"))
                .then(|| gateway.frame("RESUMED", json!({})))
        };
        let Some(resumed) = resumed else {
            // Not resumable: the client identifies anew.
            return self.send(&json!({"op": 9, "d": false})).await;
        };
        self.send(&resumed).await?;
        self.set_ready(true);
        Ok(())
    }

    /// Sends every queued dispatch; a dispatch that could not be sent goes back in the queue.
    async fn flush(&mut self) -> Result<(), ()> {
        loop {
            let next = self.shared.lock().gateway.next();
            match next {
                None => return Ok(()),
                Some(Next::Dropped(why)) => {
                    if let Some(why) = why {
                        self.violation(why);
                    }
                }
                Some(Next::Send { event, data, frame }) => {
                    if self.send(&frame).await.is_err() {
                        self.shared.lock().gateway.outbox.push_front((event, data));
                        return Err(());
                    }
                }
            }
            self.shared.lock().gateway.sent += 1;
            self.shared.activity.notify_waiters();
        }
    }

    async fn send(&mut self, frame: &Value) -> Result<(), ()> {
        let text = Utf8Bytes::from(frame.to_string());
        self.socket.send(Message::Text(text)).await.map_err(drop)
    }

    /// Sends a Close frame and waits briefly for the client to answer it.
    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        if self.socket.send(Message::Close(Some(frame))).await.is_ok() {
            self.drain().await;
        }
    }

    /// Reads until the connection ends, which completes a close handshake.
    async fn drain(&mut self) {
        let drained = async { while let Some(Ok(_)) = self.socket.recv().await {} };
        let _ = tokio::time::timeout(CLOSE_GRACE, drained).await;
    }

    fn set_ready(&mut self, ready: bool) {
        if self.ready == ready {
            return;
        }
        self.ready = ready;
        let mut inner = self.shared.lock();
        match ready {
            true => inner.gateway.ready += 1,
            false => inner.gateway.ready -= 1,
        }
        drop(inner);
        self.shared.activity.notify_waiters();
    }

    fn violation(&self, violation: String) {
        self.shared.lock().violation(violation);
        self.shared.activity.notify_waiters();
    }
}
