package io.aurora4j.store.codec;

import io.aurora4j.store.CodecException;
import io.aurora4j.store.Codecs;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allowed enums round-trip by constant name; unknown enums and constants are rejected. */
class CodecEnumTest {
    enum Color { RED, GREEN, BLUE }

    enum Op {
        ADD {
            @Override
            int apply(int a, int b) {
                return a + b;
            }
        },
        SUB {
            @Override
            int apply(int a, int b) {
                return a - b;
            }
        };

        abstract int apply(int a, int b);
    }

    enum Reordered { BLUE, RED }

    enum Other { RED }

    record Pixel(Color color, int x) {
    }

    static final Codecs CODECS = Codecs.builder().allowEnum(Color.class, "color").allowEnum(Op.class)
            .allowRecord(Pixel.class).build();

    @Test
    void constantsRoundTripAsTheSameInstance() {
        for (Color c : Color.values()) {
            assertSame(c, CODECS.decode(CODECS.encode(c)));
        }
        assertSame(Op.SUB, CODECS.decode(CODECS.encode(Op.SUB)), "a constant with a body");
        Object v = Map.of(Color.RED, List.of(new Pixel(Color.BLUE, 3)), Op.ADD, EnumSet.of(Color.GREEN));
        assertEquals(v, CODECS.decode(CODECS.encode(v)));
        assertArrayEquals(CODECS.encode(Set.of(Color.RED, Color.BLUE)), CODECS.encode(EnumSet.of(Color.BLUE, Color.RED)));
    }

    @Test
    void constantsAreStoredByNameSoReorderingIsSafe() {
        Codecs reordered = Codecs.builder().allowEnum(Reordered.class, "color").build();
        assertSame(Reordered.RED, reordered.decode(CODECS.encode(Color.RED)));
        Codecs fewer = Codecs.builder().allowEnum(Other.class, "color").build();
        CodecException e = assertThrows(CodecException.class, () -> fewer.decode(CODECS.encode(Color.GREEN)));
        assertTrue(e.getMessage().contains("has no constant GREEN"), e.getMessage());
    }

    @Test
    void anEnumThatIsNotAllowedIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(Op.ADD));
        assertTrue(e.getMessage().contains("allowEnum(Op.class)"), e.getMessage());
        assertThrows(CodecException.class, () -> Codecs.defaults().decode(CODECS.encode(Color.RED)));
        assertThrows(IllegalArgumentException.class,
                () -> Codecs.builder().allowEnum(Color.class).allowRecord(Pixel.class, Color.class.getName()).build());
    }
}
