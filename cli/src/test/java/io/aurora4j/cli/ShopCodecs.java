package io.aurora4j.cli;

import io.aurora4j.store.Codecs;

import java.util.function.Supplier;

/** The codecs of {@link SlsCodecsTest}'s application, as {@code sls dump/diff --codecs} loads them. */
public final class ShopCodecs implements Supplier<Codecs> {
    /** A value of the application's own type, which the default codecs cannot decode. */
    public record Price(String currency, long cents) {
    }

    @Override
    public Codecs get() {
        return Codecs.builder().allowRecord(Price.class).build();
    }
}
