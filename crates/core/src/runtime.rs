//! The runtime: takes updates from every adapter, runs one chat's updates in
//! order and different chats in parallel, and shuts down cleanly.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::adapter::{Adapter, Envelope, Intake, Outcome};
use crate::command::CommandInfo;
use crate::ctx::{Ctx, Services};
use crate::handler::Handler;
use crate::i18n::FALLBACK_LANGUAGE;
use crate::incoming::Incoming;
use crate::platform::{ChatId, Platform};
use crate::store::StoreError;

/// The error of running an instance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The store could not be flushed at shutdown.
    #[error("flushing the store at shutdown failed")]
    Flush(#[source] StoreError),
}

/// Runs a handler over the updates of one or more adapters.
pub struct Runtime {
    handler: Arc<dyn Handler>,
    services: Arc<Services>,
    adapters: Vec<Arc<dyn Adapter>>,
    max_in_flight: usize,
    queue: usize,
    adapter_grace: Duration,
}

impl Runtime {
    /// A runtime answering with `handler`, using `services`.
    pub fn new(handler: Arc<dyn Handler>, services: Arc<Services>) -> Self {
        Self {
            handler,
            services,
            adapters: Vec::new(),
            max_in_flight: 64,
            queue: 1024,
            adapter_grace: Duration::from_secs(10),
        }
    }

    /// Adds an adapter whose updates the runtime takes.
    #[must_use]
    pub fn adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.adapters.push(adapter);
        self
    }

    /// How many updates may wait to be handled, over all chats, before
    /// adapters wait in `submit`; 1024 by default.
    #[must_use]
    pub fn queue(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// How many updates (of different chats) are handled at once; 64 by default.
    #[must_use]
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// How long adapters get to return after the intake stops; 10 s by default.
    #[must_use]
    pub fn adapter_grace(mut self, grace: Duration) -> Self {
        self.adapter_grace = grace;
        self
    }

    /// The commands of the handler with their descriptions in every language.
    pub fn command_infos(&self) -> Vec<CommandInfo> {
        let texts = &self.services.texts;
        self.handler
            .commands()
            .into_iter()
            .map(|spec| {
                let descriptions = texts
                    .languages()
                    .into_iter()
                    .filter(|lang| *lang == FALLBACK_LANGUAGE || texts.has(lang, &spec.description))
                    .map(|lang| (lang.to_owned(), texts.text(lang, &spec.description, &[])))
                    .collect();
                CommandInfo {
                    name: spec.name,
                    descriptions,
                }
            })
            .collect()
    }

    /// Runs until `shutdown` is cancelled or every adapter's input has ended.
    ///
    /// Then it stops the intake, handles every update already accepted, lets
    /// in-flight handlers finish, and flushes the store.
    ///
    /// # Errors
    /// When the final flush fails.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        let (tx, mut rx) = mpsc::channel(self.queue);
        let places = Arc::new(Semaphore::new(self.queue));
        let stop = shutdown.child_token();
        let commands = Arc::new(self.command_infos());
        let mut adapters = JoinSet::new();
        for adapter in &self.adapters {
            let intake = Intake {
                tx: tx.clone(),
                stop: stop.clone(),
                adapter: Arc::clone(adapter),
                commands: Arc::clone(&commands),
                places: Arc::clone(&places),
                store: Arc::clone(&self.services.store),
                observer: Arc::clone(&self.services.observer),
            };
            let adapter = Arc::clone(adapter);
            let span = tracing::info_span!("adapter", platform = %adapter.platform());
            adapters.spawn(
                async move {
                    // An adapter that fails (its platform unreachable, say)
                    // starts again with growing pauses; the others go on.
                    let mut pause = Duration::from_secs(1);
                    loop {
                        match adapter.run(intake.clone()).await {
                            Ok(()) => return,
                            Err(e) => {
                                intake.report(crate::observe::ErrorKind::Adapter);
                                tracing::error!(
                                    error = %crate::handler::HandlerError::from(e),
                                    retry_in_secs = pause.as_secs(),
                                    "adapter stopped with an error; restarting"
                                );
                            }
                        }
                        tokio::select! {
                            () = intake.stopped() => return,
                            () = tokio::time::sleep(pause) => {}
                        }
                        pause = (pause * 2).min(Duration::from_secs(60));
                    }
                }
                .instrument(span),
            );
        }
        drop(tx);

        let dispatch = Arc::new(Dispatch {
            chats: Mutex::new(HashMap::new()),
            permits: Arc::new(Semaphore::new(self.max_in_flight)),
            handler: Arc::clone(&self.handler),
            services: Arc::clone(&self.services),
            tasks: TaskTracker::new(),
        });

        loop {
            tokio::select! {
                () = shutdown.cancelled() => {
                    tracing::info!("shutdown requested");
                    break;
                }
                envelope = rx.recv() => match envelope {
                    Some(envelope) => dispatch.dispatch(envelope),
                    None => {
                        tracing::debug!("every adapter's input has ended");
                        break;
                    }
                },
            }
        }

        // Stop intake; what was accepted before is still handled.
        stop.cancel();
        rx.close();
        while let Some(envelope) = rx.recv().await {
            dispatch.dispatch(envelope);
        }
        dispatch.tasks.close();
        dispatch.tasks.wait().await;

        let grace = tokio::time::timeout(self.adapter_grace, async {
            while adapters.join_next().await.is_some() {}
        });
        if grace.await.is_err() {
            tracing::warn!("an adapter did not stop in time; aborting it");
            adapters.abort_all();
        }

        self.services
            .store
            .flush()
            .await
            .map_err(RuntimeError::Flush)?;
        tracing::info!("stopped cleanly");
        Ok(())
    }
}

type ChatKey = (Platform, ChatId);

struct Dispatch {
    /// The queue of every chat that has a worker; a chat's worker removes its
    /// entry when the queue runs dry, under the same lock that adds to it.
    chats: Mutex<HashMap<ChatKey, VecDeque<Envelope>>>,
    permits: Arc<Semaphore>,
    handler: Arc<dyn Handler>,
    services: Arc<Services>,
    tasks: TaskTracker,
}

impl Dispatch {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ChatKey, VecDeque<Envelope>>> {
        self.chats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn dispatch(self: &Arc<Self>, envelope: Envelope) {
        let key = (
            envelope.incoming.chat.platform,
            envelope.incoming.chat.id.clone(),
        );
        let mut chats = self.lock();
        if let Some(queue) = chats.get_mut(&key) {
            queue.push_back(envelope);
            return;
        }
        chats.insert(key.clone(), VecDeque::from([envelope]));
        drop(chats);
        let me = Arc::clone(self);
        self.tasks.spawn(me.worker(key));
    }

    async fn worker(self: Arc<Self>, key: ChatKey) {
        loop {
            let envelope = {
                let mut chats = self.lock();
                let next = chats.get_mut(&key).and_then(VecDeque::pop_front);
                if next.is_none() {
                    chats.remove(&key);
                }
                next
            };
            let Some(envelope) = envelope else { return };
            let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                let _ = envelope.done.send(Outcome::Dropped);
                continue;
            };
            let Envelope {
                incoming,
                adapter,
                done,
                _place: place,
            } = envelope;
            // Nothing may end this loop early: a dead worker would strand
            // its chat's queue. Panics outside the handler are caught too.
            let started = std::time::Instant::now();
            let incoming = Arc::new(incoming);
            let work = async {
                let outcome = self
                    .handle(Arc::clone(&incoming), Arc::clone(&adapter))
                    .await;
                drop(permit);
                // The update no longer needs its place in the intake: an
                // adapter that waits in `finished` must not keep the intake
                // full, or its own intake could never make room.
                drop(place);
                adapter.finished(&incoming, outcome).await;
                outcome
            };
            let outcome = AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    tracing::error!("panic after a handler finished");
                    Outcome::Failed
                });
            self.services.observer.update_handled(
                incoming.chat.platform,
                outcome,
                started.elapsed(),
            );
            let _ = done.send(outcome);
        }
    }

    async fn handle(&self, incoming: Arc<Incoming>, adapter: Arc<dyn Adapter>) -> Outcome {
        let span = tracing::info_span!("update", platform = %incoming.chat.platform);
        let mut ctx = Ctx::shared(incoming, adapter, Arc::clone(&self.services));
        let result = AssertUnwindSafe(self.handler.handle(&mut ctx))
            .catch_unwind()
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        match result {
            Ok(Ok(())) => return Outcome::Handled,
            Ok(Err(e)) => tracing::error!(error = %e, "handler failed"),
            Err(_) => tracing::error!("handler panicked"),
        }
        let text = ctx.t("botwerk-error");
        if let Err(e) = ctx.reply(text).await {
            tracing::warn!(error = %e, "could not tell the user about the failure");
        }
        Outcome::Failed
    }
}
