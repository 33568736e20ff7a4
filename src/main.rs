#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
fn main() {
    use coachbook::heap::{Heap, use_huge_pages};
    let heap = Heap::for_args(std::env::args_os());
    use_huge_pages(heap);
    quiet_on_closed_pipe();
    let code = match heap {
        Heap::Dashboard => coachbook::tui::early::run_if_dashboard(std::env::args_os()),
        Heap::Command => None,
    };
    std::process::exit(code.unwrap_or_else(coachbook::cli::main));
}

/// Like every Unix filter, end quietly when the reader of our output goes
/// away (`coachbook today | head`). SIGPIPE stays ignored (a send command
/// that stops reading its stdin must not kill us), so Rust's `println!`
/// panics on the closed pipe instead; that one panic becomes exit 141, the
/// shell's code for a closed pipe, with nothing printed.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") {
            std::process::exit(141);
        }
        default(info);
    }));
}
