package dev.cairn.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;

class CairnManagedConnectionFactoryTest {

    @Test
    void theTransactionLimitPropertyReachesTheStoreAndABadOneIsNamed() throws Exception {
        CairnManagedConnectionFactory f = new CairnManagedConnectionFactory();
        assertEquals(128L << 20, f.storeConfig().maxTransactionBytes(), "the default");
        f.setMaxTransactionBytes(1_000_000L);
        assertEquals(1_000_000L, f.storeConfig().maxTransactionBytes());
        assertNotEquals(new CairnManagedConnectionFactory(), f, "factories with different limits are different factories");
        f.setMaxTransactionBytes(0L);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, f::storeConfig);
        assertTrue(e.getMessage().contains("maxTransactionBytes"), e.getMessage());
    }
}
