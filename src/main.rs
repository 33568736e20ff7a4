fn main() {
    // Like every Unix filter, end quietly when the reader of our output goes
    // away (`coachbook today | head`), instead of panicking on a broken pipe.
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(coachbook::cli::main());
}
