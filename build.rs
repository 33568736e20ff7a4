//! Link options of coachbook's own executables.
//!
//! On Linux with glibc the `coachbook` binary (and the benches, so that the
//! bare terminal pane they compare it with starts the same way) is linked
//! as a position-dependent executable (`-no-pie`). chrono-tz's zone tables
//! hold some 43,000 pointers (each transition's abbreviation); a PIE must
//! relocate every one of them at every start, which writes to every page of
//! those tables: about 300 copy-on-write page faults and 0.6 M instructions
//! before `main`, a fifth of a `coachbook today`. Linked at a fixed address
//! the tables stay clean file pages, read only where a zone is used. The
//! cost is that the executable's own image is not randomised (its stack,
//! heap and shared libraries still are); SECURITY.md says why that is
//! acceptable for coachbook. `COACHBOOK_PIE=1` at build time keeps PIE.

fn main() {
    println!("cargo:rerun-if-env-changed=COACHBOOK_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let keep_pie = std::env::var("COACHBOOK_PIE").is_ok_and(|v| v == "1");
    if linux_gnu && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        println!("cargo:rustc-link-arg-benches=-no-pie");
    }
}
