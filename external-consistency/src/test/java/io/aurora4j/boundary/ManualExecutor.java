package io.aurora4j.boundary;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** A release executor that only queues tasks; the test runs them when it chooses, on its own thread. */
final class ManualExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs queued tasks (and those they queue) until none is left; returns how many ran. */
    int runAll() {
        int n = 0;
        Runnable t;
        while ((t = tasks.poll()) != null) {
            t.run();
            n++;
        }
        return n;
    }

    int queued() {
        return tasks.size();
    }
}
