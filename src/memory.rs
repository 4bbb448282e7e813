//! How the process's allocator is set up: glibc's malloc bounded for a long-running server.
//!
//! By default glibc gives threads that contend for memory arenas of their own, up to eight per
//! core, keeps what requests free in them for reuse, and raises its mmap threshold (up to 32 MiB)
//! whenever a large block is freed, so that large buffers end up kept in the arenas too. With two HTTP workers, Tokio's runtime
//! and blocking threads and the database tasks, that held about three times the live heap: at
//! 100,000 platforms heaptrack counted about 30 MB live while the resident set was 84 MB, and a
//! mix of cache misses left 110 to 125 MB resident (`BENCHMARKS.md`). Fewer arenas, and large
//! blocks taken from and given back to the kernel directly, keep the resident set near the live
//! heap. An operator's own `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_` or
//! `MALLOC_TRIM_THRESHOLD_` (glibc's own tunables) is left to win.

/// Arenas for the whole process: the main one and one more, shared by every thread.
pub const ARENAS: i32 = 2;

/// Blocks of this size or more are mapped and unmapped on their own, and go back to the kernel
/// when freed. Setting it also stops glibc from raising the threshold as it sees large blocks
/// freed. Measured with `bench/memory.sh`: at glibc's initial 128 KiB, mapping and unmapping
/// every mid-sized buffer cost overlap checks 45% of their rate; at 4 MiB the peak passed 100 MB;
/// at 1 MiB the rates were `main`'s and the peak 99.5 MB.
pub const MMAP_THRESHOLD: i32 = 1024 * 1024;

/// Free memory at the top of an arena beyond this is given back at once (held, like the mmap
/// threshold, rather than left to grow with it).
pub const TRIM_THRESHOLD: i32 = 1024 * 1024;

/// Applies [`ARENAS`], [`MMAP_THRESHOLD`] and [`TRIM_THRESHOLD`] unless the environment sets
/// glibc's own tunable for them. To be called first thing in `main`, before any thread starts.
/// Returns which were applied, for the log.
pub fn tune_allocator() -> Vec<&'static str> {
    let mut applied = Vec::new();
    for (variable, setting, value) in [
        ("MALLOC_ARENA_MAX", Setting::ArenaMax, ARENAS),
        (
            "MALLOC_MMAP_THRESHOLD_",
            Setting::MmapThreshold,
            MMAP_THRESHOLD,
        ),
        (
            "MALLOC_TRIM_THRESHOLD_",
            Setting::TrimThreshold,
            TRIM_THRESHOLD,
        ),
    ] {
        if std::env::var_os(variable).is_none() && set(setting, value) {
            applied.push(variable);
        }
    }
    applied
}

/// Gives the free pages of every arena back to the kernel. Costs a walk of the free lists;
/// meant for after heavy work (a search built from the database), not for every request.
pub fn release_free_memory() {
    trim();
}

#[derive(Clone, Copy)]
enum Setting {
    ArenaMax,
    MmapThreshold,
    TrimThreshold,
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "mallopt has no safe wrapper; it only sets a number inside glibc's allocator"
)]
fn set(setting: Setting, value: i32) -> bool {
    let parameter = match setting {
        Setting::ArenaMax => libc::M_ARENA_MAX,
        Setting::MmapThreshold => libc::M_MMAP_THRESHOLD,
        Setting::TrimThreshold => libc::M_TRIM_THRESHOLD,
    };
    // SAFETY: mallopt takes two integers and is safe to call at any time; it returns 1 on success.
    unsafe { libc::mallopt(parameter, value) == 1 }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "malloc_trim has no safe wrapper; it only returns free pages to the kernel"
)]
fn trim() {
    // SAFETY: malloc_trim takes a size and touches only memory the allocator holds as free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators (musl, macOS) have neither setting: nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set(_: Setting, _: i32) -> bool {
    false
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_every_setting() {
        assert!(set(Setting::ArenaMax, ARENAS));
        assert!(set(Setting::MmapThreshold, MMAP_THRESHOLD));
        assert!(set(Setting::TrimThreshold, TRIM_THRESHOLD));
        release_free_memory();
    }
}
