//! Inputs for the unit tests that check a fast path against the code it
//! replaces: every short sequence of a set of pieces, many longer random
//! ones, and the files of a fixture folder.

use std::path::{Path, PathBuf};

/// The empty sequence and every sequence of 1 to `depth` of `pieces`,
/// shorter ones first.
pub fn every_sequence<P: AsRef<[u8]>>(pieces: &[P], depth: usize) -> Vec<Vec<u8>> {
    let mut all = vec![Vec::new()];
    let mut frontier = vec![Vec::new()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for sequence in &frontier {
            for piece in pieces {
                let mut longer = sequence.clone();
                longer.extend_from_slice(piece.as_ref());
                next.push(longer);
            }
        }
        all.extend(next.iter().cloned());
        frontier = next;
    }
    all
}

/// [`every_sequence`] of text pieces, as text.
pub fn every_text(pieces: &[&str], depth: usize) -> Vec<String> {
    every_sequence(pieces, depth)
        .into_iter()
        .map(|bytes| String::from_utf8(bytes).unwrap())
        .collect()
}

/// `count` random sequences of `pieces` (a fixed linear congruential
/// generator from `seed`, so every run checks the same ones), each of
/// `min` to `min + 2^(64 - shift) - 1` pieces.
pub fn random_sequences<P: AsRef<[u8]>>(
    pieces: &[P],
    count: usize,
    seed: u64,
    shift: u32,
    min: u64,
) -> Vec<Vec<u8>> {
    let step = |state: u64| {
        state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
    };
    let mut state = seed;
    let mut all = Vec::with_capacity(count);
    for _ in 0..count {
        let mut sequence = Vec::new();
        state = step(state);
        for _ in 0..(state >> shift) + min {
            state = step(state);
            sequence.extend_from_slice(pieces[(state >> 33) as usize % pieces.len()].as_ref());
        }
        all.push(sequence);
    }
    all
}

/// [`random_sequences`] of text pieces, as text.
pub fn random_texts(pieces: &[&str], count: usize, seed: u64, shift: u32, min: u64) -> Vec<String> {
    random_sequences(pieces, count, seed, shift, min)
        .into_iter()
        .map(|bytes| String::from_utf8(bytes).unwrap())
        .collect()
}

/// Every file under `folder`, in its folders too, in name order; none if
/// it is missing.
pub fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
