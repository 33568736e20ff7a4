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
//! changes). Large blocks come from that heap too, not from a mapping of
//! their own. The cost: resident memory rounds up to whole 2 MiB pages of
//! the heap actually touched.
//!
//! Only on Linux with glibc, and only from `main` before any thread starts;
//! elsewhere it does nothing. Every step is advice: if one fails, the
//! allocator works as before.

/// Address space reserved for the heap (not memory: pages are backed only
/// when touched). The figures' largest process, a ten-year review, peaks
/// near 30 MB; heap growth past the reserve is ordinary pages again.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const RESERVE: usize = 256 << 20;

/// The size of a transparent huge page on x86-64 and arm64 (4 KiB base).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGE: usize = 2 << 20;

/// Back the heap with transparent huge pages (see the module). Call first
/// thing in `main`, before any thread is spawned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn use_huge_pages() {
    // Largest block served from the heap: glibc's own ceiling (32 MiB on
    // 64-bit); above it a block gets its own mapping as before.
    const FROM_HEAP_UP_TO: libc::c_int = 32 << 20;
    // More than the fresh heap's free top holds (about 128 KiB).
    const PROBE: usize = 1 << 20;
    let Ok(reserve) = libc::c_int::try_from(RESERVE) else {
        return;
    };
    // SAFETY: mallopt only sets allocator parameters (called before any
    // thread exists, as glibc requires for M_ARENA_MAX to hold); sbrk(0)
    // only reads the current break; the probe is freed once and the pad
    // never; madvise is given a 2 MiB-aligned range that lies inside the
    // heap mapping glibc has just grown (checked: the probe was carved
    // from the heap's top, below the new break), and MADV_HUGEPAGE
    // changes how pages are backed, never their contents.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, FROM_HEAP_UP_TO);
        libc::mallopt(libc::M_TOP_PAD, reserve);
        libc::mallopt(libc::M_TRIM_THRESHOLD, reserve);
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
        let end = end - end % HUGE_PAGE;
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
pub fn use_huge_pages() {}
