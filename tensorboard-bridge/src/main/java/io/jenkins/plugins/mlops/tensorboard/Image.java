package io.jenkins.plugins.mlops.tensorboard;

import java.util.Arrays;

/**
 * One encoded image (PNG as TensorBoard writes it) and its size. {@code index} tells the images of
 * one TF2 {@code images} summary apart (0 for the first, and for TF1-style images).
 */
public record Image(int index, int width, int height, byte[] encoded) {

  public Image {
    encoded = encoded.clone();
  }

  /** A copy of the encoded bytes. */
  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  /**
   * The file name extension the bytes call for ({@code png}, {@code jpg}, {@code gif}, else bin).
   */
  public String extension() {
    if (encoded.length >= 4 && (encoded[0] & 0xff) == 0x89 && encoded[1] == 'P') {
      return "png";
    }
    if (encoded.length >= 2 && (encoded[0] & 0xff) == 0xff && (encoded[1] & 0xff) == 0xd8) {
      return "jpg";
    }
    if (encoded.length >= 3 && encoded[0] == 'G' && encoded[1] == 'I' && encoded[2] == 'F') {
      return "gif";
    }
    return "bin";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Image that
        && index == that.index
        && width == that.width
        && height == that.height
        && Arrays.equals(encoded, that.encoded);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * index + width) + height) + Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "Image[index=" + index + ", " + width + "x" + height + ", " + encoded.length + " bytes]";
  }
}
