//! The one key map of the terminal UI: every binding is a row of
//! [`BINDINGS`] (key, modifiers, context, action, help text). Dispatch
//! looks keys up here ([`lookup`]), and the `?` help screen
//! ([`help_sections`]) and the footer ([`footer`]) are generated from the
//! same table, so what the help says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::visit::form::VisitAnswer;

/// Where a binding applies. A screen consults its contexts in order
/// (see `App::contexts`); the first binding found wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Every screen (but not while a prompt is open).
    Global,
    /// Screens showing a list of sites (ranking and plan).
    List,
    /// The ranking table.
    Ranking,
    /// The detail pane of one site.
    Detail,
    /// The map.
    Map,
    /// The visit plan.
    Plan,
    /// The help screen.
    Help,
    /// The network view of one site.
    Network,
    /// The agency view of the plan.
    Agencies,
    /// The visit checklist of one site.
    Checklist,
    /// The search, filter, reason, note or case-id prompt.
    Prompt,
}

impl Context {
    /// The heading of this context on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists (ranking and plan)",
            Context::Ranking => "Ranking",
            Context::Detail => "Detail pane",
            Context::Map => "Map",
            Context::Plan => "Plan",
            Context::Help => "Help",
            Context::Network => "Network view",
            Context::Agencies => "Agency view",
            Context::Checklist => "Visit checklist",
            Context::Prompt => "Prompts (search, filter, reason, note, case id)",
        }
    }

    /// Every context, in the order the help screen lists them.
    pub const ALL: [Context; 11] = [
        Context::Global,
        Context::List,
        Context::Ranking,
        Context::Detail,
        Context::Map,
        Context::Plan,
        Context::Help,
        Context::Network,
        Context::Agencies,
        Context::Checklist,
        Context::Prompt,
    ];
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Nothing (the key is not bound here, or was consumed by a component).
    None,
    /// Leave the program.
    Quit,
    /// Open or close the help screen.
    Help,
    /// Go to the next screen.
    NextScreen,
    /// Go to the previous screen.
    PrevScreen,
    /// Show the ranking.
    Ranking,
    /// Open (or close) the detail pane of the selected site.
    Detail,
    /// Show the map.
    Map,
    /// Show the insights.
    Insights,
    /// Show the visit plan.
    Plan,
    /// Open (or close) the network of the selected site.
    Network,
    /// Select the linked site in the ranking (or open the selected
    /// community in the list of communities).
    Jump,
    /// Show the selected site's community in full.
    Community,
    /// List every community, riskiest first.
    Communities,
    /// Show the agency view of the plan (teams and reasons per agency).
    Agencies,
    /// Open (or close) the visit checklist of the selected site.
    Checklist,
    /// Answer the selected question of the checklist.
    Answer(VisitAnswer),
    /// A digit of the number of workers the answer concerns.
    Digit(u8),
    /// Delete the last digit of the workers.
    Erase,
    /// Type a note for the selected question.
    TypeNote,
    /// Type the visit's case id (its `inspection_id`).
    CaseId,
    /// Set who inspected to the next agency.
    NextAgency,
    /// Set the visit's outcome to the next outcome code.
    NextOutcome,
    /// Save the filled visit form.
    Save,
    /// Close a popup, clear the search or filter, or go back.
    Back,
    /// Select the previous site.
    Up,
    /// Select the next site.
    Down,
    /// Move a page up.
    PageUp,
    /// Move a page down.
    PageDown,
    /// Select the first site.
    First,
    /// Select the last site.
    Last,
    /// Scroll text up a line.
    ScrollUp,
    /// Scroll text down a line.
    ScrollDown,
    /// Open the search prompt.
    Search,
    /// Jump to the next search match.
    SearchNext,
    /// Jump to the previous search match.
    SearchPrev,
    /// Open the filter prompt.
    Filter,
    /// Sort by the next column.
    SortNext,
    /// Reverse the sort direction.
    SortReverse,
    /// Mark or unmark the selected site for the plan.
    Mark,
    /// Export the plan to CSV and JSON.
    Export,
    /// Show or hide the inspectors' notes in the detail pane.
    Notes,
    /// Apply what was typed in the prompt.
    Submit,
    /// Close the prompt without applying it.
    Cancel,
}

/// One row of the key map.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Modifiers that must be held (Shift is ignored: `G` is `Char('G')`).
    pub mods: KeyModifiers,
    /// Where it applies.
    pub context: Context,
    /// What it does.
    pub action: Action,
    /// Help text (also the footer text).
    pub help: &'static str,
    /// Whether the footer shows it.
    pub footer: bool,
}

const fn key(
    code: KeyCode,
    context: Context,
    action: Action,
    help: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        context,
        action,
        help,
        footer,
    }
}

const fn ch(
    c: char,
    context: Context,
    action: Action,
    help: &'static str,
    footer: bool,
) -> Binding {
    key(KeyCode::Char(c), context, action, help, footer)
}

const fn ctrl(c: char, context: Context, action: Action, help: &'static str) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        context,
        action,
        help,
        footer: false,
    }
}

use Action as A;
use Context as C;

/// Every key binding of the terminal UI.
pub const BINDINGS: &[Binding] = &[
    // Everywhere.
    ch('q', C::Global, A::Quit, "quit", true),
    ctrl('c', C::Global, A::Quit, "quit"),
    ch('?', C::Global, A::Help, "help", true),
    key(KeyCode::Tab, C::Global, A::NextScreen, "next screen", false),
    key(
        KeyCode::BackTab,
        C::Global,
        A::PrevScreen,
        "previous screen",
        false,
    ),
    ch('r', C::Global, A::Ranking, "ranking", false),
    key(
        KeyCode::Enter,
        C::Global,
        A::Detail,
        "detail of the selected site",
        true,
    ),
    ch(
        'd',
        C::Global,
        A::Detail,
        "detail of the selected site",
        true,
    ),
    ch('m', C::Global, A::Map, "map", false),
    ch('i', C::Global, A::Insights, "insights", false),
    ch('p', C::Global, A::Plan, "plan", false),
    ch('w', C::Global, A::Network, "network of the site", false),
    ch(
        'a',
        C::Global,
        A::Agencies,
        "agency view: team and reasons per agency of each visit",
        false,
    ),
    ch(
        'c',
        C::Global,
        A::Checklist,
        "visit checklist of the selected site",
        false,
    ),
    ch('/', C::Global, A::Search, "search by name or id", true),
    ch('n', C::Global, A::SearchNext, "next match", false),
    ch('N', C::Global, A::SearchPrev, "previous match", false),
    ch('f', C::Global, A::Filter, "filter", true),
    ch(' ', C::Global, A::Mark, "mark for the plan", true),
    ch(
        'e',
        C::Global,
        A::Export,
        "export the plan (CSV + JSON)",
        false,
    ),
    key(
        KeyCode::Esc,
        C::Global,
        A::Back,
        "close, clear search/filter, back",
        false,
    ),
    // Lists.
    key(KeyCode::Up, C::List, A::Up, "move", true),
    ch('k', C::List, A::Up, "move", true),
    key(KeyCode::Down, C::List, A::Down, "move", true),
    ch('j', C::List, A::Down, "move", true),
    key(KeyCode::PageUp, C::List, A::PageUp, "page up", false),
    key(KeyCode::PageDown, C::List, A::PageDown, "page down", false),
    key(KeyCode::Home, C::List, A::First, "first site", false),
    ch('g', C::List, A::First, "first site", false),
    key(KeyCode::End, C::List, A::Last, "last site", false),
    ch('G', C::List, A::Last, "last site", false),
    ch('s', C::List, A::SortNext, "sort by the next column", true),
    ch('S', C::List, A::SortReverse, "reverse the sort", false),
    // Detail.
    key(KeyCode::Up, C::Detail, A::ScrollUp, "scroll", true),
    ch('k', C::Detail, A::ScrollUp, "scroll", true),
    key(KeyCode::Down, C::Detail, A::ScrollDown, "scroll", true),
    ch('j', C::Detail, A::ScrollDown, "scroll", true),
    key(
        KeyCode::PageUp,
        C::Detail,
        A::PageUp,
        "scroll a page",
        false,
    ),
    key(
        KeyCode::PageDown,
        C::Detail,
        A::PageDown,
        "scroll a page",
        false,
    ),
    key(KeyCode::Left, C::Detail, A::Up, "previous/next site", true),
    ch('h', C::Detail, A::Up, "previous/next site", true),
    key(
        KeyCode::Right,
        C::Detail,
        A::Down,
        "previous/next site",
        true,
    ),
    ch('l', C::Detail, A::Down, "previous/next site", true),
    ch(
        'o',
        C::Detail,
        A::Notes,
        "show/hide inspectors' notes (masked)",
        true,
    ),
    // Map.
    key(KeyCode::Up, C::Map, A::Up, "previous/next site", true),
    ch('k', C::Map, A::Up, "previous/next site", true),
    key(KeyCode::Down, C::Map, A::Down, "previous/next site", true),
    ch('j', C::Map, A::Down, "previous/next site", true),
    // Plan.
    key(
        KeyCode::Delete,
        C::Plan,
        A::Mark,
        "remove from the plan",
        false,
    ),
    ch('x', C::Plan, A::Mark, "remove from the plan", false),
    ch('e', C::Plan, A::Export, "export", true),
    // Help.
    key(KeyCode::Up, C::Help, A::ScrollUp, "scroll", true),
    ch('k', C::Help, A::ScrollUp, "scroll", true),
    key(KeyCode::Down, C::Help, A::ScrollDown, "scroll", true),
    ch('j', C::Help, A::ScrollDown, "scroll", true),
    key(KeyCode::PageUp, C::Help, A::PageUp, "scroll a page", false),
    key(
        KeyCode::PageDown,
        C::Help,
        A::PageDown,
        "scroll a page",
        false,
    ),
    // Network view.
    key(KeyCode::Up, C::Network, A::Up, "move", true),
    ch('k', C::Network, A::Up, "move", true),
    key(KeyCode::Down, C::Network, A::Down, "move", true),
    ch('j', C::Network, A::Down, "move", true),
    key(KeyCode::PageUp, C::Network, A::PageUp, "page", false),
    key(KeyCode::PageDown, C::Network, A::PageDown, "page", false),
    key(KeyCode::Home, C::Network, A::First, "first", false),
    key(KeyCode::End, C::Network, A::Last, "last", false),
    key(
        KeyCode::Enter,
        C::Network,
        A::Jump,
        "jump to site · open community",
        true,
    ),
    ch(
        'o',
        C::Network,
        A::Community,
        "the site's community in full",
        true,
    ),
    ch(
        'l',
        C::Network,
        A::Communities,
        "every community, riskiest first",
        true,
    ),
    // Agency view.
    key(KeyCode::Up, C::Agencies, A::Up, "previous/next visit", true),
    ch('k', C::Agencies, A::Up, "previous/next visit", true),
    key(
        KeyCode::Down,
        C::Agencies,
        A::Down,
        "previous/next visit",
        true,
    ),
    ch('j', C::Agencies, A::Down, "previous/next visit", true),
    key(
        KeyCode::PageUp,
        C::Agencies,
        A::PageUp,
        "scroll the team and reasons",
        true,
    ),
    key(
        KeyCode::PageDown,
        C::Agencies,
        A::PageDown,
        "scroll the team and reasons",
        true,
    ),
    key(KeyCode::Home, C::Agencies, A::First, "first visit", false),
    ch('g', C::Agencies, A::First, "first visit", false),
    key(KeyCode::End, C::Agencies, A::Last, "last visit", false),
    ch('G', C::Agencies, A::Last, "last visit", false),
    ch(
        'c',
        C::Agencies,
        A::Checklist,
        "checklist of the visit",
        true,
    ),
    // Visit checklist.
    key(
        KeyCode::Up,
        C::Checklist,
        A::Up,
        "previous/next question",
        true,
    ),
    ch('k', C::Checklist, A::Up, "previous/next question", true),
    key(
        KeyCode::Down,
        C::Checklist,
        A::Down,
        "previous/next question",
        true,
    ),
    ch('j', C::Checklist, A::Down, "previous/next question", true),
    key(
        KeyCode::PageUp,
        C::Checklist,
        A::PageUp,
        "scroll the question",
        false,
    ),
    key(
        KeyCode::PageDown,
        C::Checklist,
        A::PageDown,
        "scroll the question",
        false,
    ),
    key(
        KeyCode::Home,
        C::Checklist,
        A::First,
        "first question",
        false,
    ),
    ch('g', C::Checklist, A::First, "first question", false),
    key(KeyCode::End, C::Checklist, A::Last, "last question", false),
    ch('G', C::Checklist, A::Last, "last question", false),
    ch(
        'y',
        C::Checklist,
        A::Answer(VisitAnswer::Yes),
        "answer yes/no/unknown",
        true,
    ),
    ch(
        'n',
        C::Checklist,
        A::Answer(VisitAnswer::No),
        "answer yes/no/unknown",
        true,
    ),
    ch(
        'u',
        C::Checklist,
        A::Answer(VisitAnswer::Unknown),
        "answer yes/no/unknown",
        true,
    ),
    ch('0', C::Checklist, A::Digit(0), "workers concerned", false),
    ch('1', C::Checklist, A::Digit(1), "workers concerned", false),
    ch('2', C::Checklist, A::Digit(2), "workers concerned", false),
    ch('3', C::Checklist, A::Digit(3), "workers concerned", false),
    ch('4', C::Checklist, A::Digit(4), "workers concerned", false),
    ch('5', C::Checklist, A::Digit(5), "workers concerned", false),
    ch('6', C::Checklist, A::Digit(6), "workers concerned", false),
    ch('7', C::Checklist, A::Digit(7), "workers concerned", false),
    ch('8', C::Checklist, A::Digit(8), "workers concerned", false),
    ch('9', C::Checklist, A::Digit(9), "workers concerned", false),
    key(
        KeyCode::Backspace,
        C::Checklist,
        A::Erase,
        "delete a digit of the workers",
        false,
    ),
    ch('t', C::Checklist, A::TypeNote, "type a note", true),
    ch(
        'i',
        C::Checklist,
        A::CaseId,
        "type the visit's case id (inspection_id)",
        false,
    ),
    ch(
        'a',
        C::Checklist,
        A::NextAgency,
        "who inspected (next agency)",
        false,
    ),
    ch(
        'o',
        C::Checklist,
        A::NextOutcome,
        "the visit's outcome (next code, referral_cmm among them)",
        false,
    ),
    ch(
        's',
        C::Checklist,
        A::Save,
        "save the form (TOML) for tilsyn visit record",
        true,
    ),
    key(
        KeyCode::Esc,
        C::Checklist,
        A::Back,
        "close (the answers are kept)",
        true,
    ),
    // Prompt (typed characters go into the prompt first).
    key(KeyCode::Enter, C::Prompt, A::Submit, "apply", true),
    key(KeyCode::Esc, C::Prompt, A::Cancel, "cancel", true),
    ctrl('c', C::Prompt, A::Quit, "quit"),
];

/// The action bound to a key in the first of `contexts` that binds it.
/// Shift is ignored (the character already says it), other modifiers must
/// match exactly.
pub fn lookup(contexts: &[Context], event: &KeyEvent) -> Option<Action> {
    let mods = event.modifiers.difference(KeyModifiers::SHIFT);
    contexts.iter().find_map(|ctx| {
        BINDINGS
            .iter()
            .find(|b| b.context == *ctx && b.code == event.code && b.mods == mods)
            .map(|b| b.action)
    })
}

/// The label of a key as the help and footer show it, e.g. `↑`, `PgDn`, `Ctrl-c`.
pub fn key_label(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// One line of help: the keys (joined with `/`) and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// Key labels, e.g. `↑/k`.
    pub keys: String,
    /// What they do.
    pub help: &'static str,
}

/// Merges consecutive bindings with the same help text into one entry.
fn entries<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<HelpEntry> {
    let mut out: Vec<HelpEntry> = Vec::new();
    for b in bindings {
        let label = key_label(b.code, b.mods);
        match out.iter_mut().find(|e| e.help == b.help) {
            Some(e) => {
                e.keys.push('/');
                e.keys.push_str(&label);
            }
            None => out.push(HelpEntry {
                keys: label,
                help: b.help,
            }),
        }
    }
    out
}

/// The help screen: every context with its entries, in key-map order.
pub fn help_sections() -> Vec<(Context, Vec<HelpEntry>)> {
    Context::ALL
        .iter()
        .map(|ctx| (*ctx, entries(BINDINGS.iter().filter(|b| b.context == *ctx))))
        .filter(|(_, e)| !e.is_empty())
        .collect()
}

/// The footer for a screen: the bindings marked for the footer in its
/// contexts, most specific context first, each help text once.
pub fn footer(contexts: &[Context]) -> Vec<HelpEntry> {
    let mut out: Vec<HelpEntry> = Vec::new();
    for ctx in contexts.iter().rev().filter(|c| **c != Context::Global) {
        for e in entries(BINDINGS.iter().filter(|b| b.context == *ctx && b.footer)) {
            if !out.iter().any(|o| o.help == e.help) {
                out.push(e);
            }
        }
    }
    if contexts.contains(&Context::Global) {
        for e in entries(
            BINDINGS
                .iter()
                .filter(|b| b.context == Context::Global && b.footer),
        ) {
            if !out.iter().any(|o| o.help == e.help) {
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn lookup_prefers_the_first_context_and_ignores_shift() {
        let ctx = [Context::List, Context::Global];
        assert_eq!(
            lookup(&ctx, &press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            lookup(&ctx, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Last)
        );
        assert_eq!(
            lookup(&ctx, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            lookup(&ctx, &press(KeyCode::Char('c'), KeyModifiers::ALT)),
            None
        );
        let detail = [Context::Detail, Context::Global];
        assert_eq!(
            lookup(&detail, &press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::ScrollDown)
        );
        assert_eq!(
            lookup(
                &[Context::Prompt],
                &press(KeyCode::Char('q'), KeyModifiers::NONE)
            ),
            None
        );
    }

    #[test]
    fn the_checklist_takes_answers_and_digits_before_the_global_keys() {
        let ctx = [Context::Checklist, Context::Global];
        let key = |c: char| lookup(&ctx, &press(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(key('n'), Some(Action::Answer(VisitAnswer::No)));
        assert_eq!(key('y'), Some(Action::Answer(VisitAnswer::Yes)));
        assert_eq!(key('u'), Some(Action::Answer(VisitAnswer::Unknown)));
        assert_eq!(key('7'), Some(Action::Digit(7)));
        assert_eq!(key('a'), Some(Action::NextAgency));
        assert_eq!(key('c'), Some(Action::Checklist));
        assert_eq!(key('q'), Some(Action::Quit));
        let global = [Context::Global];
        assert_eq!(
            lookup(&global, &press(KeyCode::Char('a'), KeyModifiers::NONE)),
            Some(Action::Agencies)
        );
        let help = help_sections();
        let checklist = help
            .iter()
            .find(|(c, _)| *c == Context::Checklist)
            .map(|(_, e)| e.clone())
            .unwrap_or_default();
        assert!(
            checklist
                .iter()
                .any(|e| e.keys == "0/1/2/3/4/5/6/7/8/9" && e.help == "workers concerned"),
            "{checklist:?}"
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.context == b.context && a.code == b.code && a.mods == b.mods),
                    "{:?} {:?} is bound twice",
                    a.context,
                    key_label(a.code, a.mods)
                );
            }
        }
    }

    #[test]
    fn help_and_footer_come_from_the_map() {
        let help = help_sections();
        let global = &help[0];
        assert_eq!(global.0, Context::Global);
        assert!(
            global
                .1
                .iter()
                .any(|e| e.help == "quit" && e.keys == "q/Ctrl-c")
        );
        let foot = footer(&[Context::List, Context::Ranking, Context::Global]);
        assert!(foot.iter().any(|e| e.keys == "↑/k/↓/j"));
        assert!(foot.iter().any(|e| e.help == "quit"));
    }
}
