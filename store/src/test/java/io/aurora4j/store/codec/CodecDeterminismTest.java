package io.aurora4j.store.codec;

import io.aurora4j.store.Codecs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Equal values give equal bytes, whatever their implementation class or insertion order. */
class CodecDeterminismTest {
    record Pair(Object left, Object right) {
    }

    private static final Codecs CODECS = Codecs.builder().allowRecord(Pair.class).build();

    @Test
    void mapsAndSetsEncodeTheSameWhateverTheirOrderOrClass() {
        Random random = new Random(42);
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add(switch (i % 4) {
                case 0 -> (long) random.nextInt();
                case 1 -> "k" + random.nextInt(1000);
                case 2 -> List.of(i, "x");
                default -> new Pair(i, null);
            });
        }
        Map<Object, Object> first = new LinkedHashMap<>();
        keys.forEach(k -> first.put(k, k.hashCode()));
        byte[] expected = CODECS.encode(first);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(keys, random);
            Map<Object, Object> shuffled = new LinkedHashMap<>();
            keys.forEach(k -> shuffled.put(k, k.hashCode()));
            assertArrayEquals(expected, CODECS.encode(shuffled));
            assertArrayEquals(expected, CODECS.encode(new HashMap<>(shuffled)));
            assertArrayEquals(CODECS.encode(new HashSet<>(keys)), CODECS.encode(new LinkedHashSet2(keys)));
        }
        Map<String, Integer> tree = new TreeMap<>(Map.of("b", 2, "a", 1, "c", 3));
        assertArrayEquals(CODECS.encode(tree), CODECS.encode(Map.of("c", 3, "a", 1, "b", 2)));
        assertArrayEquals(CODECS.encode(new TreeSet<>(Set.of(3, 1, 2))), CODECS.encode(Set.of(2, 3, 1)));
    }

    /** A set that iterates in insertion order, unlike HashSet. */
    private static final class LinkedHashSet2 extends java.util.LinkedHashSet<Object> {
        LinkedHashSet2(List<Object> elements) {
            super(elements);
        }
    }

    @Test
    void listsEncodeTheSameWhateverTheirClass() {
        List<Object> values = List.of(1, "two", 3.0);
        assertArrayEquals(CODECS.encode(values), CODECS.encode(new ArrayList<>(values)));
        assertArrayEquals(CODECS.encode(values), CODECS.encode(new LinkedList<>(values)));
        assertArrayEquals(CODECS.encode(values), CODECS.encode(Collections.unmodifiableList(values)));
    }

    @Test
    void equalFloatingPointValuesEncodeTheSameAndUnequalOnesDiffer() {
        assertArrayEquals(CODECS.encode(Double.NaN), CODECS.encode(Double.longBitsToDouble(0x7ff0000000000abcL)));
        assertArrayEquals(CODECS.encode(Float.NaN), CODECS.encode(Float.intBitsToFloat(0x7fc00abc)));
        assertFalse(java.util.Arrays.equals(CODECS.encode(0.0), CODECS.encode(-0.0)), "0.0 and -0.0 are not equal()");
    }

    @Test
    void encodingIsStableAcrossCallsAndRegistries() {
        Object value = Map.of("k", List.of(new Pair(1L, "x"), Set.of('c', (short) 2)));
        Codecs other = Codecs.builder().allowRecord(Pair.class).build();
        assertArrayEquals(CODECS.encode(value), other.encode(value));
        assertArrayEquals(CODECS.encode(value), CODECS.encode(CODECS.decode(CODECS.encode(value))));
    }
}
