//! The process heap on transparent huge pages, where the system offers them.
//!
//! Every fresh 4 KiB page a process touches costs a page fault: the kernel
//! finds, zeroes and maps a page. On a virtual machine that is several
//! microseconds a page (3–4 µs on the 2-core machine the figures are taken
//! on), so a `coachbook today` that touches 2–3 MB of heap (SQLite's page
//! cache, the parsed schema, the rows) spends a fifth of its time in those
//! faults, and a ten-year review a sixth. A 2 MiB huge page is one fault.
//!
//! [`use_huge_pages`] asks glibc's allocator to keep one arena in one
//! contiguous heap, grows it once by an address-space reserve (untouched:
//! it costs no memory), and marks that reserve `MADV_HUGEPAGE`, so the
//! kernel backs each 2 MiB of it that the process touches with one huge
//! page where it has one free (`/sys/kernel/mm/transparent_hugepage`:
//! `madvise` or `always`; with `never` the advice is ignored and nothing
//! changes). The cost: resident memory rounds up to whole 2 MiB pages of
//! the reserve actually touched. So the reserve depends on the process
//! ([`Heap`]): a command that runs and exits gets a large one, and its
//! large blocks come from it too (not from mappings of their own); the
//! dashboard, which stays open all day and frees as it reloads, gets only
//! what its start-up touches, keeps glibc's own handling of large blocks
//! (mapped, and unmapped when freed) and, once its first frame is shown
//! ([`start_up_done`]), of the heap's free top (given back).
//!
//! Only on Linux with glibc, and only before any thread starts; elsewhere
//! it does nothing. Every step is advice: if one fails, the allocator
//! works as before.

/// Which process the heap is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heap {
    /// A command that runs and exits: a reserve of 256 MiB of address
    /// space (not memory: pages are backed only when touched; the largest
    /// of the figures' processes, a ten-year review, peaks near 30 MB),
    /// large blocks (up to 32 MiB) from the heap.
    Command,
    /// The dashboard: 8 MiB of address space, of which one huge page:
    /// what the open, the first window and the first frame touch; beyond
    /// it ordinary pages, and after the start-up ([`start_up_done`]) glibc
    /// as before.
    Dashboard,
}

impl Heap {
    /// The heap for a run with these arguments (the program's name
    /// first), judged before clap parses them, so that clap's own
    /// allocations land on the huge pages too: the dashboard when no
    /// subcommand is named (only options, and the values of `--db` and
    /// `--config`). A misjudged line only changes how memory is backed.
    pub fn for_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Heap {
        let mut args = args.into_iter().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--db" || arg == "--config" {
                args.next();
            } else if !arg.as_encoded_bytes().starts_with(b"-") {
                return Heap::Command;
            }
        }
        Heap::Dashboard
    }

    /// The address space the heap is grown by.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn reserve(self) -> usize {
        match self {
            Heap::Command => 256 << 20,
            Heap::Dashboard => 8 << 20,
        }
    }

    /// How much of the reserve is marked for huge pages: all of it for a
    /// command; for the dashboard one huge page, what the open, the first
    /// window and the first frame of the ten-year, hundred-year and messy
    /// books touch (a book with thousands of requests waiting touches more:
    /// its pages beyond are ordinary ones, so its resident memory does not
    /// round up to a second huge page).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn marked(self) -> usize {
        match self {
            Heap::Command => self.reserve(),
            Heap::Dashboard => HUGE_PAGE,
        }
    }
}

/// The size of a transparent huge page on x86-64 and arm64 (4 KiB base).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGE: usize = 2 << 20;

/// Back the heap with transparent huge pages (see the module). Call once,
/// first thing in `main`, before any thread is spawned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn use_huge_pages(heap: Heap) {
    // Largest block served from the heap: glibc's own ceiling (32 MiB on
    // 64-bit); above it a block gets its own mapping as before.
    const FROM_HEAP_UP_TO: libc::c_int = 32 << 20;
    let Ok(reserve) = libc::c_int::try_from(heap.reserve()) else {
        return;
    };
    // SAFETY: mallopt only sets allocator parameters, called before any
    // thread exists (as glibc requires for M_ARENA_MAX to hold).
    unsafe {
        // One arena: the dashboard's worker thread allocates in the same
        // heap (a thread's own arena would be ordinary pages).
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, FROM_HEAP_UP_TO);
        libc::mallopt(libc::M_TOP_PAD, reserve);
        libc::mallopt(libc::M_TRIM_THRESHOLD, reserve);
    }
    advise_reserve(heap.marked());
    if heap == Heap::Dashboard {
        // Large blocks mapped and unmapped when freed, as glibc does: the
        // dashboard's large blocks come and go as it reloads.
        // SAFETY: as above.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, GLIBC_DEFAULT);
        }
    }
}

/// glibc's default of the mapping threshold, top pad and trim threshold (a
/// fixed 128 KiB, where glibc would raise its mapping threshold by itself).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const GLIBC_DEFAULT: libc::c_int = 128 << 10;

/// For the dashboard, once its first frame is on screen: from here on the
/// heap's free top is given back, as glibc does by default; what the open,
/// the first window and the first frame allocated stays on its huge pages.
/// Until then the heap keeps [`use_huge_pages`]'s reserve: a free top given
/// back during the start-up would end the heap's mapping inside the
/// reserve, and the kernel backs a huge page only where the whole 2 MiB
/// lies inside the mapping, so the rest of the start-up would fault in its
/// heap 4 KiB at a time (200–300 faults on the ten-year book).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn start_up_done() {
    // SAFETY: mallopt only sets allocator parameters; glibc takes the
    // arena's lock to set them, so other threads may be running.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, GLIBC_DEFAULT);
        libc::mallopt(libc::M_TRIM_THRESHOLD, GLIBC_DEFAULT);
    }
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn start_up_done() {}

/// Grow the heap by the reserve (`M_TOP_PAD`, set by the caller) and mark
/// its first whole 2 MiB pages, up to `marked` bytes, `MADV_HUGEPAGE`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn advise_reserve(marked: usize) {
    // More than the fresh heap's free top holds (about 128 KiB).
    const PROBE: usize = 1 << 20;
    // SAFETY: sbrk(0) only reads the current break; the probe is freed
    // once and the pad never; madvise is given a 2 MiB-aligned range that
    // lies inside the heap mapping glibc has just grown (checked: the
    // probe was carved from the heap's top, below the new break), and
    // MADV_HUGEPAGE changes how pages are backed, never their contents.
    unsafe {
        // More than the heap's free top holds: glibc grows the heap by
        // this plus the reserve (M_TOP_PAD) in one break. (`black_box`:
        // the compiler may drop a block nobody uses.)
        let before = libc::sbrk(0) as usize;
        let probe = std::hint::black_box(libc::malloc(PROBE));
        if probe.is_null() {
            return;
        }
        let top = probe as usize;
        libc::free(probe);
        // After the free: it may give back what the probe took beyond
        // the reserve.
        let end = libc::sbrk(0) as usize;
        // Only a probe from the heap's top, and a heap that grew: else
        // (a mapping of its own, no break) leave everything as it is.
        if before == usize::MAX
            || end == usize::MAX
            || end <= before
            || top > before.saturating_add(64)
            || top.saturating_add(PROBE) > end
        {
            return;
        }
        // The heap's free top now starts where the probe did. Huge pages
        // are whole aligned 2 MiB that nothing touched before the advice:
        // the first boundary above the probe's end (where glibc wrote the
        // header of the free top while the probe was taken). The part
        // below it is taken by a pad that is never touched (one header
        // word) nor freed, so what the process allocates next starts at
        // the boundary, not up to 3 MiB of ordinary pages below it.
        let start = top.saturating_add(PROBE + 64).next_multiple_of(HUGE_PAGE);
        let end = (end - end % HUGE_PAGE).min(start.saturating_add(marked));
        if end <= start {
            return;
        }
        let gap = start - top;
        if gap > 64 {
            std::hint::black_box(libc::malloc(gap - 32));
        }
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
    }
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn use_huge_pages(_heap: Heap) {}

#[cfg(test)]
mod tests {
    use super::Heap;

    fn heap_for(line: &str) -> Heap {
        Heap::for_args(line.split(' ').map(std::ffi::OsString::from))
    }

    #[test]
    fn the_dashboard_is_a_line_without_a_subcommand() {
        for line in [
            "coachbook",
            "coachbook --demo",
            "coachbook --db today --config review",
            "coachbook --db=/tmp/b.sqlite --mouse",
        ] {
            assert_eq!(heap_for(line), Heap::Dashboard, "{line}");
        }
        for line in [
            "coachbook today",
            "coachbook --db /tmp/b.sqlite review --format json",
            "coachbook --mouse import mail x.mbox",
        ] {
            assert_eq!(heap_for(line), Heap::Command, "{line}");
        }
    }
}
