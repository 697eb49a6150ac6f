/**
 * Deliberately broken doubles of Aurora4j's protocols, kept to show that the JCStress tests have teeth: each
 * mimics one protocol with one ordering removed, and its FORBIDDEN outcome is expected to show. They are not
 * part of the default run (the build would fail, as it should); run them with
 * {@code ./build mvn -pl jcstress -am verify -Djcstress.tests='io\.aurora4j\.jcstress\.teeth\..*'} and expect
 * a failed build. See jcstress/README.md for what each one broke and what JCStress reported.
 */
package io.aurora4j.jcstress.teeth;
