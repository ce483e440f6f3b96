package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.Secret;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

  private static final String RUN = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;
  private final List<String> console = new ArrayList<>();

  private static ObjectNode body(int n) {
    ObjectNode body = Json.object();
    body.put("n", n);
    return body;
  }

  @Test
  void eachIdentityKeepsItsRequestsApartAndNamedWithoutItsSecret() throws Exception {
    TrackingConfig reader =
        TrackingConfig.parse("http://mlflow.example:5000", dir)
            .withCredentials(new Credentials.Basic("reader", Secret.of("Re4d-s3cret")))
            .withSpoolDir(dir);
    TrackingConfig admin =
        reader.withCredentials(new Credentials.Basic("admin", Secret.of("Adm-s3cret")));
    TrackingConfig token =
        reader.withCredentials(new Credentials.BearerToken(Secret.of("tok-s3cret")));
    Spool readers = Spool.forOwner(dir, Spool.Owner.of(reader), console::add);
    Spool admins = Spool.forOwner(dir, Spool.Owner.of(admin), console::add);
    Spool tokens = Spool.forOwner(dir, Spool.Owner.of(token), console::add);
    readers.append(RUN, List.of(body(1)));
    tokens.append(RUN, List.of(body(2)));
    new Spool(dir, console::add).append(RUN, List.of(body(3))); // an older, ownerless spool

    assertEquals(0, admins.pending(RUN), "the admin's spool holds none of the others'");
    List<String> others = admins.others().stream().map(Spool::owner).sorted().toList();
    assertEquals(3, others.size(), others.toString());
    assertEquals("a bearer token at http://mlflow.example:5000", others.get(0));
    assertTrue(
        admins.others().stream()
            .allMatch(o -> o.server() == null || o.server().equals("http://mlflow.example:5000")),
        "each owner folder records its server");
    assertEquals(
        List.of("an unknown identity", "user 'reader' at http://mlflow.example:5000"),
        others.subList(1, 3));
    assertEquals(
        "user 'reader' at http://mlflow.example:5000", Spool.Owner.of(reader).description());
    assertEquals(
        Spool.Owner.of(reader),
        Spool.Owner.of(reader.withCredentials(new Credentials.Basic("reader", Secret.of("new")))),
        "a changed password is the same user");
    assertFalse(
        Spool.Owner.of(reader)
            .fingerprint()
            .equals(
                Spool.Owner.of(
                        TrackingConfig.parse("http://other:5000", dir)
                            .withCredentials(reader.credentials()))
                    .fingerprint()),
        "another server is another owner");
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file);
        assertFalse(text.contains("s3cret"), file + ": " + text);
      }
    }
  }

  @Test
  void drainsInOrderAndRemovesItsFiles() {
    Spool spool = new Spool(dir, console::add);
    spool.append(RUN, List.of(body(1), body(2)));
    spool.append(RUN, List.of(body(3)));
    List<Integer> sent = new ArrayList<>();

    assertEquals(3, spool.pending(RUN));
    assertEquals(3, spool.drain(RUN, b -> sent.add(b.get("n").asInt())));

    assertEquals(List.of(1, 2, 3), sent);
    assertEquals(0, spool.pending(RUN));
    assertFalse(Files.exists(dir.resolve(RUN + ".jsonl")));
    assertFalse(Files.exists(dir.resolve(RUN + ".sent")));
  }

  @Test
  void aTornLastLineIsCutBeforeTheNextAppend() throws Exception {
    Spool spool = new Spool(dir, console::add);
    spool.append(RUN, List.of(body(1)));
    Files.writeString(
        dir.resolve(RUN + ".jsonl"),
        "{\"n\":",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND); // a crash in the middle of a write
    spool.append(RUN, List.of(body(2)));
    List<Integer> sent = new ArrayList<>();

    spool.drain(RUN, b -> sent.add(b.get("n").asInt()));

    assertEquals(List.of(1, 2), sent);
  }

  @Test
  void aRequestRefusedForGoodIsSetAsideAndDoesNotBlockTheRest() throws Exception {
    Spool spool = new Spool(dir, console::add);
    spool.append(RUN, List.of(body(1), body(2), body(3)));
    List<Integer> sent = new ArrayList<>();

    int delivered =
        spool.drain(
            RUN,
            b -> {
              if (b.get("n").asInt() == 2) {
                throw new MlflowException("gone", 404, "RESOURCE_DOES_NOT_EXIST", "", null);
              }
              sent.add(b.get("n").asInt());
            });

    assertEquals(2, delivered);
    assertEquals(List.of(1, 3), sent);
    assertTrue(Files.readString(dir.resolve(RUN + ".rejected")).contains("{\"n\":2}"));
    assertTrue(console.stream().anyMatch(l -> l.contains("refused")), console.toString());
  }

  @Test
  void transientFailuresAndRefusedCredentialsKeepTheRequest() {
    Spool spool = new Spool(dir, console::add);
    spool.append(RUN, List.of(body(1), body(2)));

    for (int status : new int[] {0, 503, 401}) {
      MlflowException e =
          assertThrows(
              MlflowException.class,
              () ->
                  spool.drain(
                      RUN,
                      b -> {
                        throw new MlflowException("no", status, "", "", null);
                      }));
      assertEquals(status, e.status());
      assertEquals(2, spool.pending(RUN), "status " + status + " keeps both requests");
    }
  }

  @Test
  void twoSpoolsOnOneFolderSeeEachOthersWrites() {
    Spool writer = new Spool(dir, console::add);
    Spool reader = new Spool(dir, console::add);
    assertEquals(0, reader.pending(RUN));

    writer.append(RUN, List.of(body(1)));
    List<JsonNode> sent = new ArrayList<>();

    assertEquals(1, reader.pending(RUN));
    reader.drain(RUN, sent::add);
    assertEquals(0, writer.pending(RUN));
    assertEquals(1, sent.size());
  }
}
