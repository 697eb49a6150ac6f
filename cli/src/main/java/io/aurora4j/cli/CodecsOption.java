package io.aurora4j.cli;

import io.aurora4j.store.Codecs;
import picocli.CommandLine.Option;

import java.util.function.Supplier;

/**
 * The {@code --codecs CLASS --classpath PATH} options of {@code dump} and {@code diff}: values decoded with the
 * application's own {@link Codecs} (its records, enums and codecs) instead of the defaults. {@code CLASS} is a public
 * class with a public no-argument constructor implementing {@code Supplier<Codecs>}, the codecs the application's
 * group was built with. Not thread-safe (one command's options).
 */
final class CodecsOption {
    @Option(names = "--codecs", paramLabel = "CLASS",
            description = "a Supplier<Codecs> class giving the application's codecs (default: Codecs.defaults())")
    String codecsClass;

    @Option(names = "--classpath", paramLabel = "PATH",
            description = "where --codecs and the classes its codecs decode are found (entries separated by the path separator)")
    String classpath;

    /** The codecs to decode with. */
    @SuppressWarnings("unchecked")
    Codecs codecs() throws StoreCommand.UsageError {
        if (codecsClass == null) {
            if (classpath != null) {
                throw new StoreCommand.UsageError("--classpath is for --codecs: name the Supplier<Codecs> class too");
            }
            return Codecs.defaults();
        }
        ClassLoader loader = classpath == null ? CodecsOption.class.getClassLoader() : UserClasspath.loader(classpath);
        Object supplier;
        try {
            Class<?> c = Class.forName(codecsClass, true, loader);
            if (!Supplier.class.isAssignableFrom(c)) {
                throw new StoreCommand.UsageError("--codecs: " + codecsClass + " is not a java.util.function.Supplier<Codecs>");
            }
            supplier = c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new StoreCommand.UsageError("--codecs: cannot load " + codecsClass
                    + (classpath == null ? "" : " from " + classpath) + ": " + e);
        }
        Object codecs;
        try {
            codecs = ((Supplier<Object>) supplier).get();
        } catch (RuntimeException e) {
            throw new StoreCommand.UsageError("--codecs: " + codecsClass + ".get() threw " + e);
        }
        if (!(codecs instanceof Codecs result)) {
            throw new StoreCommand.UsageError("--codecs: " + codecsClass + ".get() returned " + codecs + ", not Codecs");
        }
        return result;
    }
}
