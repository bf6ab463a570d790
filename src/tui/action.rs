//! The TUI's one vocabulary: everything a key, a click or the loop can ask for.

/// What the user (or the event loop) asks the [`App`](super::app::App) to do.
/// [`App::dispatch`](super::app::App::dispatch) is the only place they take effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Press a phone key: `0`-`9`, `*`, `#`.
    Dial(char),
    /// Let the pending input time out now.
    TimeoutNow,
    /// Open the one-line text box for an utterance (a Lex block listens, or a
    /// chat Wait).
    Say,
    /// The caller hangs up.
    Hangup,
    /// The agent puts the caller on hold (once connected: before the agent answers,
    /// the hold waits its turn), or takes the caller off hold.
    Hold,
    /// Start the call again with the same caller.
    Restart,
    /// Open the overlay that asks for a new caller number.
    NewCaller,
    /// Pause / resume: step mode runs one block per [`Action::Step`].
    TogglePause,
    /// Step mode: run the next block.
    Step,
    /// Run the call's clock faster (`true`) or slower.
    Speed(bool),
    /// Switch the flow panel between the current block and the whole-graph map.
    ToggleMap,
    /// Map: move the view by columns and rows.
    MapPan(i32, i32),
    /// Map: zoom in (`true`: boxes) or out (`false`: names, then dots).
    MapZoom(bool),
    /// Map: select the next (`1`) or previous (`-1`) block.
    MapSelect(i32),
    /// Map: open the selected block's parameters and branches.
    MapDetails,
    /// Map: search a block by name.
    MapSearch,
    /// Map: keep the current block in view again.
    MapFollow,
    /// Map: show or hide the test coverage (`--coverage`).
    MapCoverage,
    /// Show the last Lambda event and response in full.
    Inspect,
    /// Write the call so far as a `.call` recording.
    WriteRecording,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Scroll the transcript (or the open overlay) by lines; positive is up/back.
    Scroll(i32),
    /// Follow the end of the transcript again.
    ScrollEnd,
    /// Overlay text fields: type a character.
    Type(char),
    /// Overlay text fields: delete the last character.
    Backspace,
    /// Overlay: cycle the choice (unmapped Lambda: JSON / error / timeout).
    NextChoice,
    /// Overlay: accept.
    Submit,
    /// Overlay: close without acting.
    Cancel,
    /// Leave flowsim.
    Quit,
}
