package io.sessionmirror.agent.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs stored sessions with HMAC-SHA256 and, optionally, encrypts them with AES-256-GCM. Both keys are
 * derived from the configured secret (HKDF-SHA256), so one secret is all an operator manages. The Memcached
 * key is part of what is signed (and of the GCM associated data): a value copied to another session's key
 * does not verify. Several secrets may be configured for rotation: the first signs, every one verifies; a
 * stored value names its secret by a 4-byte id derived from it, which reveals nothing about the secret.
 */
public final class PayloadSeal {

    /** The length of the signature at the end of a signed payload. */
    public static final int TAG_LENGTH = 32;
    private static final int NONCE_LENGTH = 12;
    private static final byte[] SALT = "session-mirror/seal/1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The keys derived from one secret. */
    private static final class Keys {
        final int id;
        final SecretKeySpec mac;
        final SecretKeySpec cipher;

        Keys(String secret) {
            byte[] prk = hmac(SALT, secret.getBytes(StandardCharsets.UTF_8));
            this.mac = new SecretKeySpec(expand(prk, "mac"), "HmacSHA256");
            this.cipher = new SecretKeySpec(expand(prk, "aes-gcm"), "AES");
            this.id = ByteBuffer.wrap(expand(prk, "key id")).getInt();
        }
    }

    private final List<Keys> keys;
    private final boolean encrypt;

    /** @param secrets the current secret first, then older ones still accepted */
    public PayloadSeal(List<String> secrets, boolean encrypt) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no secret");
        }
        List<Keys> k = new ArrayList<>();
        for (String s : secrets) {
            k.add(new Keys(s));
        }
        this.keys = Collections.unmodifiableList(k);
        this.encrypt = encrypt;
    }

    public boolean encrypts() {
        return encrypt;
    }

    /** The id of the current secret, which what is written is signed (and encrypted) with. */
    public int keyId() {
        return current().id;
    }

    /** Whether a configured secret has the id a stored value names. */
    public boolean knows(int keyId) {
        return keys(keyId) != null;
    }

    private Keys current() {
        return keys.get(0);
    }

    private Keys keys(int id) {
        for (Keys k : keys) {
            if (k.id == id) {
                return k;
            }
        }
        return null;
    }

    // Looking up a Mac or Cipher goes through the provider list each time (about a microsecond); one per thread,
    // initialised with the key at each use, costs only the initialisation.
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    });
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    });

    /**
     * Signs {@code payload} with the current secret: its last {@link #TAG_LENGTH} bytes, left free by the
     * caller, receive the tag over the Memcached key and every byte before them.
     */
    public void sign(String storeKey, byte[] payload) {
        int signedLength = payload.length - TAG_LENGTH;
        byte[] tag = tag(current(), storeKey, payload, signedLength);
        System.arraycopy(tag, 0, payload, signedLength, TAG_LENGTH);
    }

    /**
     * Whether the tag at the end of {@code payload} is the one the secret {@code keyId} gives for the
     * Memcached key and the bytes before it (compared in constant time); false for an unknown key id.
     */
    public boolean verify(int keyId, String storeKey, byte[] payload) {
        Keys k = keys(keyId);
        if (k == null || payload.length < TAG_LENGTH) {
            return false;
        }
        int signedLength = payload.length - TAG_LENGTH;
        byte[] expected = tag(k, storeKey, payload, signedLength);
        byte[] stored = new byte[TAG_LENGTH];
        System.arraycopy(payload, signedLength, stored, 0, TAG_LENGTH);
        return MessageDigest.isEqual(expected, stored);
    }

    /** HMAC-SHA256 over the Memcached key and {@code bytes[0..length)}. */
    private static byte[] tag(Keys k, String storeKey, byte[] bytes, int length) {
        try {
            Mac mac = MAC.get();
            mac.init(k.mac);
            byte[] key = storeKey.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(key.length).array());
            mac.update(key);
            mac.update(bytes, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** With the current secret: nonce(12) + AES-GCM ciphertext and tag, with the Memcached key as associated data. */
    public byte[] encrypt(String storeKey, byte[] plain) {
        try {
            byte[] nonce = new byte[NONCE_LENGTH];
            RANDOM.nextBytes(nonce);
            Cipher c = GCM.get(); // a fresh nonce each time, so re-initialising one Cipher is allowed
            c.init(Cipher.ENCRYPT_MODE, current().cipher, new GCMParameterSpec(128, nonce));
            c.updateAAD(storeKey.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_LENGTH + c.getOutputSize(plain.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
            c.doFinal(plain, 0, plain.length, out, NONCE_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    }

    /** Reverses {@link #encrypt} with the secret {@code keyId}. */
    public byte[] decrypt(int keyId, String storeKey, byte[] body) throws GeneralSecurityException {
        Keys k = keys(keyId);
        if (k == null) {
            throw new GeneralSecurityException("no secret with key id " + Integer.toHexString(keyId));
        }
        if (body.length < NONCE_LENGTH + 16) {
            throw new GeneralSecurityException("encrypted body too short");
        }
        Cipher c = GCM.get();
        c.init(Cipher.DECRYPT_MODE, k.cipher, new GCMParameterSpec(128, body, 0, NONCE_LENGTH));
        c.updateAAD(storeKey.getBytes(StandardCharsets.UTF_8));
        return c.doFinal(body, NONCE_LENGTH, body.length - NONCE_LENGTH);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** HKDF-Expand (RFC 5869) for one 32-byte block. */
    private static byte[] expand(byte[] prk, String info) {
        byte[] i = info.getBytes(StandardCharsets.US_ASCII);
        byte[] in = new byte[i.length + 1];
        System.arraycopy(i, 0, in, 0, i.length);
        in[i.length] = 1;
        return hmac(prk, in);
    }
}
