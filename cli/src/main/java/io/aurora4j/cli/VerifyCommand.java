package io.aurora4j.cli;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.VerifyReport;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls verify DIR}: every record's checksum, and whether the store opens. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every record of every segment and durable log (length and CRC32C) and that the store "
                + "opens (the structure of its checkpoints). Names the file and offset of any damage and exits "
                + "with 1 if there is some, 0 if there is none. A torn write at the end of the newest segment, "
                + "which an open cuts, counts as damage here.")
final class VerifyCommand extends StoreCommand {
    @Override
    int run(OpenStore open) {
        return report(open.store.checkpoints().size(), null);
    }

    @Override
    int corrupt(StoreCorruptedException e) {
        return report(-1, e);
    }

    private int report(int checkpoints, StoreCorruptedException openFailure) {
        // the directory is not held by a store of this JVM: the open above got past the registry, or failed on
        // damage after it
        VerifyReport r = Store.verify(directory.toAbsolutePath().normalize());
        boolean ok = r.ok() && openFailure == null;
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", directory.toAbsolutePath().normalize().toString());
            doc.put("ok", ok);
            doc.put("files", r.files().stream().map(p -> p.getFileName().toString()).toList());
            doc.put("records", r.records());
            doc.put("bytes", r.bytes());
            List<Object> damage = new ArrayList<>();
            for (VerifyReport.Damage d : r.damage()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", d.file().getFileName().toString());
                m.put("offset", d.offset());
                m.put("what", d.what());
                damage.add(m);
            }
            doc.put("damage", damage);
            doc.put("opens", openFailure == null);
            doc.put("openError", openFailure == null ? null : openFailure.getMessage());
            out().println(Json.write(doc));
        } else {
            out().printf("%s: %d files, %d records, %d bytes checked%n", directory.toAbsolutePath().normalize(),
                    r.files().size(), r.records(), r.bytes());
            for (VerifyReport.Damage d : r.damage()) {
                out().printf("DAMAGE %s offset %d: %s%n", d.file().getFileName(), d.offset(), d.what());
            }
            if (openFailure != null) {
                out().printf("DAMAGE the store does not open: %s%n", openFailure.getMessage());
            } else {
                out().printf("the store opens: %d checkpoints%n", checkpoints);
            }
            out().println(ok ? "ok: no damage found" : "damage found");
        }
        out().flush();
        return ok ? Sls.OK : Sls.PROBLEM;
    }
}
