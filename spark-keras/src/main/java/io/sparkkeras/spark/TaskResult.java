package io.sparkkeras.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** What one rank of the barrier stage returns to the driver. Rank 0 also returns the model and the History. */
final class TaskResult implements Serializable {
    private static final long serialVersionUID = 1L;

    int rank;
    String host;
    long rows;
    long stepsPerEpoch;
    long stepsRun;
    long trainNs;
    long allreduceNs;
    long weightsChecksum;
    int initialEpoch;
    /** Rank 0 only. */
    byte[] modelBytes;
    /** Rank 0 only: metric name to its value per epoch, averaged over all ranks. */
    LinkedHashMap<String, ArrayList<Double>> history;
    List<Integer> epochs;
}
