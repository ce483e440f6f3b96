package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "loss",
        "train/epoch_loss",
        "val acc",
        "a-b.c_d",
        "x/y/z",
        "é",
        "a:b",
        "损失",
        "a..b"
      })
  void acceptsWhatMlflowAccepts(String key) {
    assertNull(Keys.problem(key));
    assertEquals(key, Keys.sanitise(key));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "a//b", "/a", "a/", "../a", "..a", "a/./b", "acc@1", "e\u0301", "a#b"})
  void refusesWhatMlflowRefusesOrMayRefuse(String key) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Keys.require("metric", key));
    assertTrue(e.getMessage().startsWith("metric key '" + key + "' is not valid"), e.getMessage());
  }

  @Test
  void sanitisesToAValidKey() {
    assertEquals("acc_1", Keys.sanitise("acc@1"));
    assertEquals("train/loss", Keys.sanitise("/train//loss/"));
    assertEquals("__/a", Keys.sanitise("../a"));
    assertEquals("val:acc", Keys.sanitise("val:acc"));
    assertEquals("_.a", Keys.sanitise("..a"));
    assertEquals("loss_", Keys.sanitise("loss\uD83D\uDE00"));
  }

  @Test
  void cutsLongKeysButKeepsThemApart() {
    String a = "k".repeat(300) + "a";
    String b = "k".repeat(300) + "b";

    assertEquals(Keys.MAX_KEY_LENGTH, Keys.sanitise(a).length());
    assertNull(Keys.problem(Keys.sanitise(a)));
    assertTrue(!Keys.sanitise(a).equals(Keys.sanitise(b)));
    String wide = Keys.sanitise("损".repeat(260));
    assertEquals(Keys.MAX_KEY_LENGTH, wide.codePointCount(0, wide.length()));
    assertNull(Keys.problem(Keys.sanitise("\uD83D\uDE00".repeat(300))));
  }
}
