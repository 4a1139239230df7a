//! # botwerk-console
//!
//! A Botwerk [`Adapter`](botwerk_core::Adapter) on standard input and output:
//! the default messenger of every bot, needing no account and no token.
//!
//! - In a terminal it is interactive: a `> ` prompt, replies as they come.
//! - Through a pipe it is a script runner: one message per line, every input
//!   line echoed after `> ` before its replies, and the adapter's input ends
//!   at end of input once every reply is printed.
//! - Buttons are printed numbered, `[#1 Coffee] [#2 Tea]`; typing `#2`
//!   presses button 2. The numbers run on through all replies to one input
//!   and stay valid until the replies to a later input bring new buttons.
//! - Files the bot sends are saved into a downloads folder and announced.
//! - A line over the size limit, a line that is not UTF-8 and an empty line
//!   are skipped with a `note:` line; nothing reaches the bot.
//!
//! ```no_run
//! use botwerk_console::{ConsoleAdapter, ConsoleOptions};
//!
//! let adapter = ConsoleAdapter::stdio(ConsoleOptions::default());
//! # let _ = adapter;
//! ```
//!
//! # Layout
//! - `lines`: reading bounded lines from a byte stream
//! - `render`: how messages look on the console
//! - `adapter`: [`ConsoleAdapter`] itself

mod adapter;
mod lines;
mod render;

pub use adapter::{ConsoleAdapter, ConsoleOptions};
pub use lines::{Line, MAX_LINE};
