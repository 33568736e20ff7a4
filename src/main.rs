fn main() {
    std::process::exit(coachbook::cli::main());
}
