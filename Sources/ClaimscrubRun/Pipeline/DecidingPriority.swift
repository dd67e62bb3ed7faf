#if os(Linux) && canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The deciding threads run a few nice steps below the run's reading and writing threads.
///
/// With one input, a run has three busy threads (reading, and two deciding) on two cores,
/// and the scheduler shared the cores evenly among them. An X12 reading thread, which then
/// built its claims (until session 20), needed most of a core; with a third of the machine
/// it fell behind, and the run's thread waited for its batches (12-24 times, 25-65 ms of
/// a 0.28 s run on 200k lines) while the deciding threads ran dry. Lowered deciding threads take what the
/// reading and writing threads leave: the waits fell to 6-10 ms. The wall time moves less
/// than that (60 alternated pairs on 200k X12 lines: 1.5% less wall time, 1.3% more CPU);
/// CSV, whose reading thread is light, and XML, whose reading thread is busy throughout
/// either way, measured unchanged.
enum DecidingPriority {
    /// Nice steps below the process's own: 2, 5 and 10 measured alike, 19 slower.
    static let steps: Int32 = 5

    /// The process's nice value: its main thread's, which a run never lowers. Not the
    /// calling thread's: the run may be started on a Dispatch thread that an earlier run
    /// in the same process (the tests) lowered already.
    static func process() -> Int32? {
        #if os(Linux) && canImport(Glibc)
        // On Linux the nice value is per thread (getpriority(2), "BUGS"): the process id
        // names the main thread.
        niceValue(of: id_t(getpid()))
        #else
        nil
        #endif
    }

    /// The calling thread's nice value, or nil where threads have none of their own.
    static func callingThread() -> Int32? {
        #if os(Linux) && canImport(Glibc)
        niceValue(of: 0)
        #else
        nil
        #endif
    }

    #if os(Linux) && canImport(Glibc)
    private static func niceValue(of who: id_t) -> Int32? {
        // -1 is a valid value: errno tells.
        errno = 0
        let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), who)
        return errno == 0 ? value : nil
    }
    #endif

    /// Lowers the calling thread to `steps` below `base` (the process's value), once:
    /// a thread already there, or lower, is left alone. Raising it back needs privilege,
    /// so Dispatch's worker threads keep the value for the rest of the process; besides
    /// deciding, they only hash inputs for the manifest, which nothing waits on before the
    /// deciding is done. Elsewhere than Linux, `setpriority` would lower the whole process,
    /// so nothing is done there.
    static func lowerCallingThread(below base: Int32) {
        #if os(Linux) && canImport(Glibc)
        let target = min(base + steps, 19)
        guard let value = callingThread(), value < target else { return }
        // Refused only by a seccomp filter or the like; the run is then as before.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, target)
        #endif
    }
}
