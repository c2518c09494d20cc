package io.sparkkeras.allreduce;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A foreign client publishes forged frames into a member's own driver (IPC) on the member's stream id. */
class ForeignFramesIpcTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void forgedIpcFramesNeverChangeAResult() throws Exception
    {
        final File base = RankGroup.newBaseDirectory("foreign-ipc");
        try
        {
            final List<Endpoint> endpoints = Endpoint.localGroup(3, base);
            final JobAuth job = new JobAuth("test-job", RankGroup.SECRET);
            // Data frames of this job, every sequence number in turn, with a token one bit off.
            try (ForgedFramePublisher attacker = new ForgedFramePublisher(endpoints, job, 4096, 1,
                (frame, k) ->
                {
                    frame.putByte(Frame.VERSION_OFFSET, Frame.VERSION);
                    frame.putByte(Frame.TYPE_OFFSET, Frame.TYPE_DATA);
                    frame.putInt(Frame.SEQ_OFFSET, k % 60 + 1);
                    frame.putLong(Frame.JOB_OFFSET, job.jobHash);
                    frame.putLong(Frame.TOKEN_OFFSET, job.frameToken ^ 1L);
                    frame.putByte(Frame.KIND_OFFSET, Frame.KIND_ALLREDUCE);
                    for (int i = 0; i < 1024; i++)
                    {
                        frame.putFloat(Frame.HEADER_LENGTH + 4 * i, 1e30f);
                    }
                }))
            {
                attacker.allreducesStayExact(100_003);
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }
}
