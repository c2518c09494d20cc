package io.sparkkeras.allreduce;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * Job identity and authentication, derived once at join.
 *
 * <p>The HELLO each rank sends its right neighbour carries an HMAC-SHA256 tag over the job id, both ranks, the group
 * size, the chunk size, the small-message allreduce threshold and a random nonce, keyed by the job secret: a rank
 * without the secret is refused. Every later frame carries a 64-bit token derived from the secret by HMAC, compared with two {@code long} loads, so frames from
 * other jobs or forgers are dropped without hashing per frame.
 */
final class JobAuth
{
    private static final String HMAC = "HmacSHA256";

    final String jobId;
    final long jobHash;
    final long frameToken;
    private final byte[] secret;

    JobAuth(final String jobId, final byte[] secret)
    {
        this.jobId = jobId;
        this.secret = secret.clone();
        this.jobHash = first8(sha256(jobId.getBytes(StandardCharsets.UTF_8)));
        this.frameToken = first8(hmac(concat("sk-allreduce-frame-token-v1:", jobId), null));
    }

    /**
     * @param streamBase base of this job's stream ids.
     * @return the Aeron stream id rank {@code rank} subscribes to: distinct per job (mostly) and per receiver.
     */
    static int streamId(final long jobHash, final int rank)
    {
        return (int)((jobHash >>> 16) & 0x3FFF_0000L) | 0x4000_0000 | (rank & 0xFFFF);
    }

    byte[] helloTag(final int source, final int dest, final int size, final int chunkFloats, final int smallBytes,
        final int windowBytes, final long nonce)
    {
        final ByteBuffer fields = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        fields.putInt(source).putInt(dest).putInt(size).putInt(chunkFloats).putInt(smallBytes).putInt(windowBytes)
            .putLong(nonce);
        return hmac(concat("sk-allreduce-hello-v2:", jobId), fields.array());
    }

    boolean verifyHello(final int source, final int dest, final int size, final int chunkFloats, final int smallBytes,
        final int windowBytes, final long nonce, final byte[] tag)
    {
        return MessageDigest.isEqual(helloTag(source, dest, size, chunkFloats, smallBytes, windowBytes, nonce), tag);
    }

    private byte[] hmac(final byte[] first, final byte[] second)
    {
        try
        {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            mac.update(first);
            if (second != null)
            {
                mac.update(second);
            }
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable in this JVM", ex);
        }
    }

    private static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("SHA-256 unavailable in this JVM", ex);
        }
    }

    private static byte[] concat(final String label, final String jobId)
    {
        return (label + jobId).getBytes(StandardCharsets.UTF_8);
    }

    private static long first8(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
