/** Ring allreduce over Aeron. */
package io.sparkkeras.allreduce;
